"""The portal's billing page lists invoices with the one InvoiceTable (``portal_company``):
the company's issued invoices only, portal download links only, the page's own columns."""

import re
from datetime import date

import pytest
from django.urls import reverse

from billing.models import Payment
from billing.tables import InvoiceTable
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
CONSOLE_LINK = re.compile(r'(?:href|action)="/(?!portal/|static/|accounts/)')


def billing_url(company) -> str:
    return reverse("portal:billing", kwargs={"cid": company.pk})


def document_url(name: str, company, invoice) -> str:
    return reverse(f"portal:{name}", kwargs={"cid": company.pk, "iid": invoice.pk})


def column_headers(page: str) -> list[str]:
    return re.findall(r"<th\b[^>]*>\s*(?:<a[^>]*>)?([^<]+?)\s*<", page)


def month(n: int) -> date:
    return date(2024 + (n - 1) // 12, (n - 1) % 12 + 1, 1)


@pytest.fixture
def invoices(company):
    """An unpaid and a partly paid invoice of the company, its draft and a stranger's."""
    partly_paid = InvoiceFactory(
        customer=company,
        period_start=month(2),
        status="partially_paid",
        total=250,
        amount_paid=40,
    )
    Payment.objects.create(
        invoice=partly_paid, amount=40, method="bank_transfer", paid_on=month(3)
    )  # its receipt
    return {
        "unpaid": InvoiceFactory(customer=company, period_start=month(1), total=100),
        "partly_paid": partly_paid,
        "draft": InvoiceFactory(
            customer=company, period_start=month(3), status="draft", number=None
        ),
        "stranger": InvoiceFactory(
            customer=CustomerFactory(name="Other Co"), period_start=month(1)
        ),
    }


def test_the_page_shows_the_companys_invoices_with_portal_links_only(
    portal_client, company, invoices
):
    page = portal_client(company, "read_only").get(billing_url(company)).content.decode()
    unpaid, partly_paid = invoices["unpaid"], invoices["partly_paid"]

    assert column_headers(page).count("Number") == 1
    assert [
        header
        for header in column_headers(page)
        if header in {"Number", "Customer", "Period", "Status", "Issued", "Due", "Total", "Balance"}
    ] == ["Number", "Period", "Status", "Due", "Total", "Balance"]
    assert unpaid.number in page and partly_paid.number in page and "2 results" in page
    assert document_url("invoice_pdf", company, unpaid) in page
    assert document_url("invoice_pdf", company, partly_paid) in page
    assert document_url("invoice_receipt", company, partly_paid) in page
    assert document_url("invoice_receipt", company, unpaid) not in page  # nothing paid yet
    assert "210" in page  # the balance: 250 less 40
    assert '<span class="badge text-bg-info">Partially paid</span>' in page
    assert '<span class="badge text-bg-primary">Issued</span>' in page
    assert not CONSOLE_LINK.search(page)
    for invoice in invoices.values():
        assert f'href="{invoice.get_absolute_url()}' not in page
        assert f'href="{reverse("billing:invoice_pdf", args=[invoice.pk])}' not in page


def test_drafts_and_other_companies_invoices_never_show(portal_client, company, invoices):
    page = portal_client(company, "admin").get(billing_url(company)).content.decode()
    draft, stranger = invoices["draft"], invoices["stranger"]
    assert "Draft" not in page and document_url("invoice_pdf", company, draft) not in page
    assert stranger.number not in page and "Other Co" not in page
    assert f"/{stranger.pk}/pdf/" not in page


def test_the_other_sections_stay(portal_client, company, invoices):
    page = portal_client(company, "admin").get(billing_url(company)).content.decode()
    for section in ("Balance due", "Seats", "Subscription", "Billing details", "Usage and cost"):
        assert section in page
    assert "Invoices and receipts" in page


def test_a_sub_accounts_page_links_to_the_sub_accounts_documents(portal_client, company):
    branch = CustomerFactory(name="Acme North", parent=company)
    invoice = InvoiceFactory(customer=branch, period_start=month(1))
    page = portal_client(company, "admin").get(billing_url(branch)).content.decode()
    assert document_url("invoice_pdf", branch, invoice) in page
    assert not CONSOLE_LINK.search(page)


def test_the_list_sorts_pages_and_answers_htmx_with_the_table_only(portal_client, company):
    for n in range(1, 13):
        InvoiceFactory(customer=company, period_start=month(n), number=f"FAC-{n:06d}")
    client = portal_client(company, "read_only")

    newest_first = client.get(billing_url(company)).content.decode()
    assert newest_first.index("FAC-000012") < newest_first.index("FAC-000001")
    by_number = client.get(billing_url(company), {"sort": "number"}).content.decode()
    assert by_number.index("FAC-000001") < by_number.index("FAC-000012")

    second_page = client.get(
        billing_url(company),
        {"per_page": 10, "page": 2},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    ).content.decode()
    assert "<html" not in second_page and "Subscription" not in second_page
    assert "FAC-000002" in second_page and "FAC-000003" not in second_page
    assert not CONSOLE_LINK.search(second_page)


def test_the_export_has_the_companys_invoices_and_the_portals_columns(
    portal_client, company, invoices
):
    response = portal_client(company, "read_only").get(billing_url(company), {"export": "csv"})
    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[0] == "Number,Period,Status,Due,Total,Balance"
    assert len(rows) == 3 and invoices["stranger"].number not in "".join(rows)


def test_the_portal_table_drops_the_customer_column_and_the_console_view(company, invoices):
    rows = [invoices["unpaid"]]
    portal = InvoiceTable(rows, portal_company=company)
    console = InvoiceTable(rows)
    assert "customer" not in portal.columns.names() and "customer" in console.columns.names()
    assert "/portal/" in portal.rows[0].get_cell("actions")
    assert "href" not in portal.rows[0].get_cell("number")
    assert invoices["unpaid"].get_absolute_url() in console.rows[0].get_cell("actions")
