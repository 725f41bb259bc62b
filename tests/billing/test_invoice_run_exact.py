"""Exact invoice runs: a consolidated invoice is complete at any chunk size, a repeated or
overlapping run bills only what is unbilled, once, and numbers stay contiguous."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from billing.models import BillingProfile, BillingSettings, Invoice, InvoiceRun
from billing.services.invoice_runs import invoice_run, invoice_run_preview
from billing.services.invoicing import invoice_issue
from tests.factories import CustomerFactory, PlanFactory, subscribe

from .conftest import MONTH, in_threads

START = date(2026, 1, 1)


def spread_agency(plan, prefix=""):
    """Sub-accounts subscribed first, unrelated customers between, the agency after them and
    one more sub-account last: in pk order, the agency's subscriptions are far apart."""
    agency = CustomerFactory(name=f"{prefix}Agency", billing_email="ap@agency.example")
    BillingProfile.objects.create(customer=agency, consolidated_billing=True)
    first = CustomerFactory(name=f"{prefix}Client A", parent=agency)
    subscribe(first, plan, seats=2, start_date=START)
    for index in range(3):
        other = CustomerFactory(name=f"{prefix}Solo {index}", billing_email=f"s{index}@x.example")
        subscribe(other, plan, start_date=START)
    subscribe(agency, plan, start_date=START)
    subscribe(CustomerFactory(name=f"{prefix}Solo 3"), plan, start_date=START)
    last = CustomerFactory(name=f"{prefix}Client B", parent=agency)
    subscribe(last, plan, seats=3, start_date=START)
    return agency


def snapshot():
    return [
        (
            invoice.number,
            invoice.customer_name,
            invoice.total,
            [
                (line.sub_account_name, line.description, line.amount)
                for line in invoice.lines.all()
            ],
        )
        for invoice in Invoice.objects.order_by("number").prefetch_related("lines")
    ]


def test_a_run_in_chunks_of_two_equals_a_run_in_one_chunk(plan):
    agency = spread_agency(plan)
    small = invoice_run(month=MONTH, actor=None, chunk_size=2, notify=False)
    in_chunks = snapshot()
    invoice = Invoice.objects.get(customer=agency)
    assert {line.sub_account_name for line in invoice.lines.all()} == {"", "Client A", "Client B"}
    assert invoice.total == 320 + 340 + 360
    assert small.created_count == 5 and small.payer_count == small.processed_count == 5
    Invoice.objects.all().delete()
    BillingSettings.objects.filter(pk=1).update(next_invoice_number=1)
    whole = invoice_run(month=MONTH, actor=None, chunk_size=10_000, notify=False)
    assert whole.created_count == 5
    assert snapshot() == in_chunks
    assert [n for n, *_ in in_chunks] == [f"INV-{n:06d}" for n in range(1, 6)]


def test_a_later_run_bills_what_is_new_once_and_nothing_twice(plan):
    spread_agency(plan)
    invoice_run(month=MONTH, actor=None, chunk_size=2)
    late = CustomerFactory(name="Late signup", billing_email="late@x.example")
    subscribe(late, plan, start_date=date(2026, 3, 1))
    again = invoice_run(month=MONTH, actor=None, chunk_size=2)
    assert (again.created_count, again.existing_count) == (1, 5)
    assert Invoice.objects.get(customer=late).number == "INV-000006"
    third = invoice_run(month=MONTH, actor=None, chunk_size=3)
    assert (third.created_count, third.existing_count) == (0, 6)
    assert Invoice.objects.count() == 6
    assert BillingSettings.objects.get(pk=1).next_invoice_number == 7


@pytest.mark.parametrize("today", [date(2026, 3, 31), date(2026, 3, 1), date(2026, 2, 10)])
def test_a_month_not_over_is_refused_and_nothing_is_written(subscribed, today):
    with pytest.raises(ValidationError, match="not over yet|not started"):
        invoice_run(month=MONTH, actor=None, today=today)
    with pytest.raises(ValidationError, match="not over yet|not started"):
        invoice_run_preview(month=MONTH, today=today)
    assert not Invoice.objects.exists() and not InvoiceRun.objects.exists()


def test_the_command_refuses_a_month_not_over(subscribed):
    this_month = date.today().replace(day=1).strftime("%Y-%m")
    with pytest.raises(CommandError, match="not over yet"):
        call_command("run_invoices", month=this_month, tenant="alpha")
    assert not InvoiceRun.objects.exists()


def test_a_draft_run_is_reviewed_then_issued_in_one_step_as_it_was(plan, mailoutbox):
    agency = spread_agency(plan)
    invoice_run(month=MONTH, actor=None, issue=False)
    drafts = {i.pk: i.total for i in Invoice.objects.all()}
    assert set(Invoice.objects.values_list("status", flat=True)) == {"draft"}
    run = invoice_run(month=MONTH, actor=None, issue=True, issue_drafts=True, notify=False)
    assert (run.created_count, run.drafts_issued_count, run.email_count) == (0, 5, 0)
    assert {i.pk: i.total for i in Invoice.objects.all()} == drafts
    numbers = list(Invoice.objects.order_by("pk").values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 6)]
    assert Invoice.objects.get(customer=agency).status == "issued"
    assert mailoutbox == []


# --- Real commits, real concurrency -----------------------------------------------------------


def test_two_runs_started_together_make_what_one_run_makes(committed):
    plan = PlanFactory(name="Runner plan", monthly_fee="100.00", seat_fee="10.00")
    spread_agency(plan, prefix="Runner ")
    for index in range(6):
        subscribe(CustomerFactory(name=f"Runner extra {index}"), plan, start_date=START)
    runs = in_threads(
        committed,
        [lambda: invoice_run(month=MONTH, actor=None, chunk_size=2, notify=False)] * 2,
    )
    assert sorted(run.created_count for run in runs) == [0, 11]
    together = snapshot()
    assert [number for number, *_ in together] == [f"INV-{n:06d}" for n in range(1, 12)]
    assert len({name for _, name, *_ in together}) == 11
    assert BillingSettings.objects.get(pk=1).next_invoice_number == 12
    # One run alone, from scratch, gives the same invoices with the same numbers.
    Invoice.objects.all().delete()
    BillingSettings.objects.filter(pk=1).update(next_invoice_number=1)
    invoice_run(month=MONTH, actor=None, chunk_size=2, notify=False)
    assert snapshot() == together


def test_a_thousand_issues_at_once_leave_no_gap(committed):
    """1,000 drafts issued by eight workers at once while a run reserves numbers too."""
    plan = PlanFactory(name="Runner plan")
    for index in range(5):
        subscribe(CustomerFactory(name=f"Runner {index}"), plan, start_date=START)
    Invoice.objects.bulk_create(
        Invoice(customer_name=f"Runner draft {n}", period_start=MONTH, period_end=MONTH)
        for n in range(1000)
    )
    ids = list(Invoice.objects.values_list("pk", flat=True))

    def issuer(share):
        def job():
            for pk in share:
                invoice_issue(invoice_id=pk, actor=None)

        return job

    run = lambda: invoice_run(month=MONTH, actor=None, chunk_size=1, notify=False)  # noqa: E731
    in_threads(committed, [issuer(ids[n::8]) for n in range(8)] + [run])
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 1006)]
    assert BillingSettings.objects.get(pk=1).next_invoice_number == 1006


def test_a_sub_account_that_joins_after_the_parent_was_invoiced_is_named_not_lost(plan):
    agency = spread_agency(plan)
    invoice_run(month=MONTH, actor=None, notify=False)
    number = Invoice.objects.get(customer=agency).number
    joined = CustomerFactory(name="Client C", parent=agency)
    subscribe(joined, plan, start_date=date(2026, 3, 1))
    preview = invoice_run_preview(month=MONTH)
    again = invoice_run(month=MONTH, actor=None, notify=False)
    reason = f"not on {number} of Agency: void that invoice and draft its replacement to bill it"
    assert ("Client C", reason) in preview.skipped
    assert ["Client C", reason] in again.skipped
    assert again.created_count == 0 and Invoice.objects.count() == 5
    assert not Invoice.objects.filter(customer=joined).exists()
