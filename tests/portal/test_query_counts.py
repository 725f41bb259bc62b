import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AssetFactory, LocationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["overview", "users", "locations", "assets", "settings"])
def test_portal_pages_run_a_constant_number_of_queries(portal_client, company, page):
    admin = portal_client(company, "admin")
    url = reverse(f"portal:{page}", kwargs={"cid": company.pk})
    LocationFactory(customer=company)
    AssetFactory(location=LocationFactory(customer=company))
    MembershipFactory(customer=company)
    admin.get(url)  # the first visit to Settings creates the company's portal profile
    with CaptureQueriesContext(connection) as small:
        assert admin.get(url).status_code == 200
    for _ in range(10):
        AssetFactory(location=LocationFactory(customer=company))
        MembershipFactory(customer=company)
    with CaptureQueriesContext(connection) as large:
        admin.get(url)
    assert len(large) == len(small) <= 20


def test_the_billing_page_runs_a_constant_number_of_queries_as_invoices_grow(
    portal_client, company
):
    from datetime import date

    from tests.factories import InvoiceFactory

    def invoice(n: int, **fields):
        period = date(2020 + n // 12, n % 12 + 1, 1)
        return InvoiceFactory(customer=company, period_start=period, **fields)

    admin = portal_client(company, "admin")
    url = reverse("portal:billing", kwargs={"cid": company.pk})
    invoice(0)
    invoice(1, status="partially_paid", amount_paid=40)
    admin.get(url)
    with CaptureQueriesContext(connection) as small:
        assert admin.get(url).content.count(b"bi-file-earmark-pdf") == 2
    for n in range(2, 22):
        invoice(n, amount_paid=10 * (n % 2))
    with CaptureQueriesContext(connection) as large:
        assert admin.get(url).content.count(b"bi-file-earmark-pdf") == 22
    assert len(large) == len(small) <= 26  # with whom the invoices go to: one query
