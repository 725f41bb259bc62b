"""The seller profile and tax-rate pages, and a customer's tax id and treatment: owners and
admins change them (with history), staff only read; bad input is a clear message and no
change."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import StaffRole
from billing.models import BillingProfile, SellerProfile, TaxRate, TaxTreatment
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def rates_post(*rows, initial=0):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = value
    return data


def test_an_admin_sets_the_seller_profile_with_history(client_as):
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(
        reverse("billing:seller_profile"),
        {
            "legal_name": "Northwind Hosting GmbH",
            "address": "Hauptstrasse 5\n10115 Berlin",
            "tax_id": "DE811907980",
            "contact_email": "billing@northwind.example",
            "contact_phone": "+49 30 1234567",
            "payment_instructions": "IBAN DE89 3704 0044 0532 0130 00",
            "email_from_name": "Northwind Billing",
            "email_reply_to": "accounts@northwind.example",
        },
    )
    assert response.status_code == 302
    profile = SellerProfile.current()
    assert (profile.legal_name, profile.tax_id) == ("Northwind Hosting GmbH", "DE811907980")
    record = profile.history.first()
    assert record.history_user == admin.user and record.history_change_reason
    page = admin.get(reverse("billing:seller_profile"))
    assert b"Seller profile changed" in page.content


def test_a_logo_that_is_not_an_image_is_refused(client_as):
    admin = client_as(StaffRole.ADMIN)
    fake = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    response = admin.post(
        reverse("billing:seller_profile"),
        {"legal_name": "X", "logo": fake},
    )
    assert response.status_code == 400
    assert not SellerProfile.current().legal_name


def test_a_bad_reply_to_is_a_form_error_and_nothing_changes(client_as):
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(
        reverse("billing:seller_profile"),
        {"legal_name": "X", "email_reply_to": "not an address"},
    )
    assert response.status_code == 400 and b"valid email" in response.content
    assert SellerProfile.current().legal_name == ""


def test_staff_read_the_pages_but_cannot_change_them(client_as):
    staff = client_as(StaffRole.STAFF)
    assert staff.get(reverse("billing:seller_profile")).status_code == 200
    assert staff.get(reverse("billing:tax_rates")).status_code == 200
    response = staff.post(reverse("billing:seller_profile"), {"legal_name": "Mine"})
    assert response.status_code == 403
    response = staff.post(
        reverse("billing:tax_rates"), rates_post({"name": "VAT", "rate": "20", "is_active": "on"})
    )
    assert response.status_code == 403
    assert not TaxRate.objects.exists() and SellerProfile.current().legal_name == ""


def test_an_admin_adds_tax_rates(client_as):
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(
        reverse("billing:tax_rates"),
        rates_post({"name": "VAT", "rate": "19", "country": "", "is_active": "on"}),
    )
    assert response.status_code == 302
    rate = TaxRate.objects.get()
    assert (rate.name, rate.rate) == ("VAT", Decimal("19"))
    assert rate.history.first().history_user == admin.user
    response = admin.post(
        reverse("billing:tax_rates"),
        rates_post(
            {"id": rate.pk, "name": "VAT", "rate": "19", "country": "", "is_active": "on"},
            {"name": "UK VAT", "rate": "20", "country": "GB", "is_active": "on"},
            initial=1,
        ),
    )
    assert response.status_code == 302
    assert sorted(TaxRate.objects.values_list("country", "rate")) == [
        ("", Decimal("19.000")),
        ("GB", Decimal("20.000")),
    ]


@pytest.mark.parametrize("rate", ["100.5", "-1", "abc", "1e400"])
def test_a_rate_outside_0_to_100_is_a_clear_form_error_and_nothing_is_saved(client_as, rate):
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(
        reverse("billing:tax_rates"),
        rates_post({"name": "VAT", "rate": rate, "country": "", "is_active": "on"}),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "between 0 and 100" in body or "Enter a number" in body or "digits" in body
    assert not TaxRate.objects.exists()


def test_two_rates_in_use_for_one_country_are_refused_all_or_nothing(client_as):
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(
        reverse("billing:tax_rates"),
        rates_post(
            {"name": "VAT", "rate": "20", "country": "GB", "is_active": "on"},
            {"name": "VAT again", "rate": "5", "country": "GB", "is_active": "on"},
        ),
    )
    assert response.status_code == 400
    assert b"already covers this country" in response.content
    assert not TaxRate.objects.exists()


def test_a_customers_tax_id_and_treatment_are_set_on_its_billing_tab(client_as):
    admin = client_as(StaffRole.ADMIN)
    customer = CustomerFactory()
    response = admin.post(
        reverse("billing:customer_billing", args=[customer.pk]),
        {
            "payment_method_label": "",
            "commission_rate": "0",
            "tax_id": " gb 123 456 789 ",
            "tax_treatment": "reverse_charge",
        },
    )
    assert response.status_code == 302
    profile = BillingProfile.objects.get(customer=customer)
    assert (profile.tax_id, profile.tax_treatment) == (
        "GB 123 456 789",
        TaxTreatment.REVERSE_CHARGE,
    )
    page = admin.get(reverse("billing:customer_billing", args=[customer.pk]))
    assert b"Reverse charge" in page.content


def test_an_unknown_tax_treatment_is_a_form_error(client_as):
    admin = client_as(StaffRole.ADMIN)
    customer = CustomerFactory()
    response = admin.post(
        reverse("billing:customer_billing", args=[customer.pk]),
        {"commission_rate": "0", "tax_treatment": "free"},
    )
    assert response.status_code == 400
    assert not BillingProfile.objects.filter(customer=customer).exists()


def test_an_uploaded_logo_is_printed_on_the_invoice_pdf(client_as, subscribed):
    import io

    from PIL import Image

    from billing.models import Invoice
    from billing.pdf import invoice_document, invoice_pdf
    from billing.services.invoicing import invoice_run

    from .conftest import MONTH

    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), "navy").save(buffer, "PNG")
    logo = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(
        reverse("billing:seller_profile"),
        {"legal_name": "Logo Ltd", "logo": logo},
    )
    assert response.status_code == 302
    invoice_run(month=MONTH, actor=None, notify=False)
    invoice = Invoice.objects.get(customer=subscribed)
    assert invoice_document(invoice, for_pdf=True)["logo"].startswith("file://")
    assert invoice_document(invoice)["logo"].startswith("/media/")
    assert invoice_pdf(invoice).startswith(b"%PDF")


def test_a_post_claiming_a_huge_number_of_rows_is_refused_without_building_them(client_as):
    """A forged row count (a fuzzer's 100000) was a two-second page of 2,000 drawn rows."""
    admin = client_as(StaffRole.ADMIN)
    before = TaxRate.objects.count()
    data = rates_post({"name": "VAT", "rate": "19", "country": "DE", "is_active": "on"})
    data["form-TOTAL_FORMS"] = "100000"
    response = admin.post(reverse("billing:tax_rates"), data)
    assert response.status_code == 400
    assert "Please submit at most 500 forms" in response.content.decode()
    assert len(response.context["formset"].forms) <= 500
    assert TaxRate.objects.count() == before


def test_each_row_s_country_is_selected_in_its_own_select(client_as):
    TaxRate.objects.create(name="VAT DE", rate=Decimal("19"), country="DE")
    TaxRate.objects.create(name="VAT FR", rate=Decimal("20"), country="FR")
    page = client_as(StaffRole.STAFF).get(reverse("billing:tax_rates")).content.decode()
    rows = page.split("<tr>")[2:]
    selected = [row.split(" selected>")[0].rsplit('value="', 1)[1] for row in rows[:2]]
    assert sorted(selected) == ['DE"', 'FR"']
    assert page.count("<select") == 3  # two rates and the empty row, nothing selected there
    assert 'aria-label="Country"' in page and "disabled" in page  # staff read only
