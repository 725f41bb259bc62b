"""The merge pages: “Merge with…” picks the other customer, the side-by-side shows both with
a choice per differing field and what will move, the merge reports the moved counts, and the
duplicate's old page points at (or redirects to) the survivor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import StaffRole
from customers.models import Customer
from customers.services_contacts import contact_create
from customers.services_merge import merge_customers
from tests.factories import CustomerFactory, InvoiceFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_as):
    return client_as(StaffRole.ADMIN)


@pytest.fixture
def pair(in_tenant):
    survivor = CustomerFactory(name="Acme Corporation", industry="Retail", website="")
    duplicate = CustomerFactory(
        name="ACME Corp.", industry="Wholesale", website="https://acme.example"
    )
    return survivor, duplicate


def merge_url(customer, other=None) -> str:
    url = reverse("customers:customer_merge", kwargs={"pk": customer.pk})
    return f"{url}?other={other.pk}" if other is not None else url


def test_the_customer_page_offers_merge_with_to_admins(pair, admin_client, client_as):
    survivor, _ = pair
    page = admin_client.get(survivor.get_absolute_url())
    assert merge_url(survivor) in page.content.decode()
    staff_page = client_as(StaffRole.STAFF).get(survivor.get_absolute_url())
    assert merge_url(survivor) not in staff_page.content.decode()


def test_the_picker_searches_other_customers(pair, admin_client):
    survivor, _ = pair
    page = admin_client.get(merge_url(survivor))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"exclude={survivor.pk}" in html  # the picker never offers the customer itself


def test_the_side_by_side_shows_differing_fields_with_defaults(pair, admin_client):
    survivor, duplicate = pair
    contact_create(customer=duplicate, actor=None, name="Dana Dup")
    LocationFactory(customer=duplicate)
    page = admin_client.get(merge_url(survivor, duplicate))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Wholesale" in html and "Retail" in html
    form = page.context["form"]
    assert form["field_industry"].initial == "survivor"
    assert form["field_website"].initial == "duplicate"  # the survivor has none
    assert page.context["plan"].counts == {"contacts": 1, "locations": 1}
    assert "<li>1 contact</li>" in html and "<li>1 location</li>" in html


def test_merging_moves_records_and_says_how_many(pair, admin_client):
    survivor, duplicate = pair
    contact_create(customer=duplicate, actor=None, name="Dana Dup")
    InvoiceFactory(customer=duplicate)
    response = admin_client.post(
        merge_url(survivor),
        {
            "other": duplicate.pk,
            "field_industry": "duplicate",
            "field_name": "survivor",
            "field_website": "duplicate",
            "reason": "Added twice",
            "confirm": "on",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == survivor.get_absolute_url()
    html = response.content.decode()
    assert "Merged ACME Corp. into Acme Corporation: moved 1 contact and 1 invoice." in html
    survivor.refresh_from_db()
    assert survivor.industry == "Wholesale"
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk


def test_without_confirming_nothing_is_merged(pair, admin_client):
    survivor, duplicate = pair
    response = admin_client.post(merge_url(survivor), {"other": duplicate.pk})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None


@pytest.mark.parametrize("case", ["itself", "deleted"])
def test_bad_pairs_get_a_clear_message(pair, admin_client, case):
    survivor, duplicate = pair
    other = survivor if case == "itself" else duplicate
    if case == "deleted":
        Customer.objects.filter(pk=duplicate.pk).update(deleted_at="2026-01-01T00:00Z")
    page = admin_client.get(merge_url(survivor, other))
    message = "cannot be merged with itself" if case == "itself" else "is deleted"
    assert message in page.content.decode()
    response = admin_client.post(merge_url(survivor), {"other": other.pk, "confirm": "on"})
    assert response.status_code == 400 and message in response.content.decode()
    assert Customer.objects.get(pk=survivor.pk).history.count() == 1


def test_staff_and_viewers_may_not_merge(pair, client_as):
    survivor, duplicate = pair
    for role in (StaffRole.STAFF, StaffRole.VIEWER):
        client = client_as(role)
        assert client.get(merge_url(survivor, duplicate)).status_code == 403
        response = client.post(merge_url(survivor), {"other": duplicate.pk, "confirm": "on"})
        assert response.status_code == 403
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None


def test_another_tenants_or_unknown_customer_is_not_found(pair, admin_client):
    survivor, _ = pair
    assert admin_client.get(merge_url(survivor) + "?other=999999").status_code == 404
    assert admin_client.get(merge_url(survivor) + "?other=abc").status_code == 404


def test_the_duplicates_page_points_at_the_survivor(pair, admin_client, client_as):
    survivor, duplicate = pair
    admin = UserFactory(role=StaffRole.ADMIN)
    merge_customers(survivor=survivor, duplicate=duplicate, actor=admin)
    page = admin_client.get(duplicate.get_absolute_url())
    html = page.content.decode()
    assert "Merged into" in html and survivor.get_absolute_url() in html
    assert reverse("customers:customer_restore", kwargs={"pk": duplicate.pk}) not in html
    # Staff do not see deleted customers: the old link takes them to the survivor.
    staff = client_as(StaffRole.STAFF)
    response = staff.get(duplicate.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == survivor.get_absolute_url()


def test_a_merged_customer_cannot_be_restored(pair, admin_client):
    survivor, duplicate = pair
    merge_customers(survivor=survivor, duplicate=duplicate, actor=UserFactory(role=StaffRole.ADMIN))
    admin_client.post(reverse("customers:customer_restore", kwargs={"pk": duplicate.pk}))
    assert Customer.objects.get(pk=duplicate.pk).deleted_at is not None


def test_the_side_by_side_takes_constant_queries(in_tenant, admin_client):
    """Measured with 2 records on the duplicate, then 20 more: the same count."""
    survivor = CustomerFactory(name="Acme")
    duplicate = CustomerFactory(name="Acme Inc")
    for _ in range(2):
        LocationFactory(customer=duplicate)

    def queries() -> int:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(merge_url(survivor, duplicate)).status_code == 200
        return len(captured)

    before = queries()
    for _ in range(20):
        LocationFactory(customer=duplicate)
        contact_create(customer=duplicate, actor=None, name="More")
    assert queries() == before


def test_the_api_answers_410_with_a_pointer_for_a_merged_customer(pair, api_as):
    survivor, duplicate = pair
    merge_customers(survivor=survivor, duplicate=duplicate, actor=UserFactory(role=StaffRole.ADMIN))
    api = api_as(StaffRole.ADMIN)
    url = reverse("api:customer-detail", kwargs={"pk": duplicate.pk})
    response = api.get(url)
    assert response.status_code == 410
    body = response.json()
    assert body["merged_into"] == survivor.pk
    assert body["merged_into_url"].endswith(
        reverse("api:customer-detail", kwargs={"pk": survivor.pk})
    )
    assert "merged into Acme Corporation" in body["detail"]
    assert api.delete(url).status_code == 410
    assert api.get(reverse("api:customer-detail", kwargs={"pk": 999999})).status_code == 404
