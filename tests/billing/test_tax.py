"""Tax: which rate a customer pays, each line's tax rounded on its own, the invoice's totals,
and the invoice run storing all of it."""

from datetime import date
from decimal import Decimal

import pytest

from billing import tax
from billing.models import (
    BillingProfile,
    BillingSettings,
    Invoice,
    SellerProfile,
    TaxRate,
    TaxTreatment,
    UsageRecord,
)
from billing.services.invoicing import invoice_run
from tests.factories import CustomerFactory, subscribe

from .conftest import MONTH

D = Decimal


def line(amount, kind="project"):
    return {"kind": kind, "amount": D(amount)}


# --- The rules, without a database ------------------------------------------------------


def test_each_line_is_taxed_and_rounded_half_up_on_its_own():
    # 0.05 × 10 % = 0.005 → 0.01 per line; three lines → 0.03, where taxing the 0.15
    # subtotal would give 0.02 (0.015 → 0.02): the per-line rule is what the invoice states.
    lines = [line("0.05"), line("0.05"), line("0.05")]
    totals = tax.apply_tax(lines, tax.Rate("VAT", D("10")), "EUR")
    assert [entry["tax_amount"] for entry in lines] == [D("0.01")] * 3
    assert (totals.subtotal, totals.tax, totals.total) == (D("0.15"), D("0.03"), D("0.18"))
    assert totals.tax_lines == [tax.TaxLine("VAT", D("10"), D("0.15"), D("0.03"))]


def test_half_a_cent_rounds_up_and_just_below_rounds_down():
    assert tax.line_tax(D("10.05"), D("10"), "USD") == D("1.01")  # 1.005
    assert tax.line_tax(D("10.04"), D("10"), "USD") == D("1.00")  # 1.004
    assert tax.line_tax(D("1234567.89"), D("19"), "EUR") == D("234567.90")  # .8991


def test_yen_tax_is_rounded_to_whole_yen():
    assert tax.line_tax(D("1005"), D("10"), "JPY") == D("101")  # 100.5 → 101
    assert tax.line_tax(D("1004"), D("10"), "JPY") == D("100")


def test_a_float_is_refused():
    with pytest.raises(TypeError):
        tax.line_tax(10.05, D("10"), "USD")


def test_the_customers_country_picks_the_rate_and_treatment_comes_first():
    rates = [tax.Rate("VAT", D("20"), "GB"), tax.Rate("Sales tax", D("7"), "")]
    assert tax.rate_for(treatment="standard", country="GB", rates=rates).rate == D("20")
    assert tax.rate_for(treatment="standard", country="US", rates=rates).rate == D("7")
    assert tax.rate_for(treatment="exempt", country="GB", rates=rates) is None
    assert tax.rate_for(treatment="reverse_charge", country="GB", rates=rates) is None
    # No rates at all: the old flat rate from the billing settings still applies.
    assert tax.rate_for(treatment="standard", country="", rates=[], fallback=D("5")).rate == D("5")


def test_no_rate_means_no_tax_lines_and_total_equals_subtotal():
    totals = tax.apply_tax([line("100.00")], None, "USD")
    assert (totals.tax, totals.total, totals.tax_lines) == (D("0.00"), D("100.00"), [])


# --- The invoice run stores it ------------------------------------------------------------


@pytest.fixture
def rates(in_tenant):
    TaxRate.objects.create(name="VAT", rate=D("20"), country="GB")
    TaxRate.objects.create(name="Sales tax", rate=D("8.25"))


def test_the_run_taxes_each_line_at_the_customers_rate(subscribed, metric, rates):
    UsageRecord.objects.create(
        customer=subscribed, metric=metric, day=date(2026, 3, 3), quantity=1333
    )
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get(customer=subscribed)
    lines = list(invoice.lines.all())
    # 300 plan, 100 seats, 333 × 0.05 = 16.65 usage; 8.25 % each: 24.75, 8.25, 1.373625 → 1.37
    assert [(x.amount, x.tax_amount) for x in lines] == [
        (D("300.00"), D("24.75")),
        (D("100.00"), D("8.25")),
        (D("16.65"), D("1.37")),
    ]
    assert {(x.tax_name, x.tax_rate) for x in lines} == {("Sales tax", D("8.250"))}
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        D("416.65"),
        D("34.37"),
        D("451.02"),
    )
    assert invoice.tax_rate == D("8.25")


def test_a_reverse_charge_customer_in_the_uk_pays_no_tax_and_its_tax_id_is_kept(plan, rates):
    customer = CustomerFactory(country="GB")
    BillingProfile.objects.create(
        customer=customer, tax_id="GB123456789", tax_treatment=TaxTreatment.REVERSE_CHARGE
    )
    uk = CustomerFactory(country="GB")
    for company in (customer, uk):
        subscribe(company, plan, seats=1, start_date=date(2026, 1, 1))
    seller = SellerProfile.current()
    seller.legal_name, seller.tax_id = "Seller Ltd", "GB999"
    seller.save()

    invoice_run(month=MONTH, actor=None)

    reverse = Invoice.objects.get(customer=customer)
    assert (reverse.tax, reverse.total, reverse.subtotal) == (D("0"), D("320.00"), D("320.00"))
    assert reverse.customer_tax_id == "GB123456789"
    assert reverse.tax_treatment == TaxTreatment.REVERSE_CHARGE
    assert reverse.seller["legal_name"] == "Seller Ltd" and reverse.seller["tax_id"] == "GB999"
    standard = Invoice.objects.get(customer=uk)
    assert (standard.tax, standard.total) == (D("64.00"), D("384.00"))  # 20 % VAT


def test_without_rates_the_flat_rate_of_the_settings_still_applies(subscribed):
    BillingSettings.objects.update_or_create(pk=1, defaults={"tax_rate": D("10")})
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get(customer=subscribed)
    assert (invoice.tax, invoice.total) == (D("40.00"), D("440.00"))


def test_the_run_loads_tax_inputs_once_per_chunk_not_per_invoice(plan, rates):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run_queries(count):
        for _ in range(count):
            subscribe(CustomerFactory(), plan, seats=1, start_date=date(2026, 1, 1))
        with CaptureQueriesContext(connection) as captured:
            invoice_run(month=MONTH, actor=None, notify=False)
        return [q["sql"] for q in captured.captured_queries if "billing_taxrate" in q["sql"]]

    assert len(run_queries(2)) == 1
    Invoice.objects.all().delete()
    assert len(run_queries(10)) == 1


def test_the_api_shows_line_tax_tax_lines_and_totals_as_decimal_strings(api_as, subscribed, rates):
    from accounts.models import StaffRole
    from tests.api.test_api import API

    BillingProfile.objects.create(customer=subscribed, tax_id="US-12-3456789")
    invoice_run(month=MONTH, actor=None)
    body = api_as(StaffRole.VIEWER).get(f"{API}/invoices/").json()
    [invoice] = body["results"]
    assert invoice["tax_lines"] == [
        {"name": "Sales tax", "rate": "8.25", "base": "400.00", "amount": "33.00"}
    ]
    assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == (
        "400.00",
        "33.00",
        "433.00",
    )
    assert [line["tax_amount"] for line in invoice["lines"]] == ["24.75", "8.25"]
    assert invoice["customer_tax_id"] == "US-12-3456789"
    assert invoice["tax_treatment"] == "standard"
