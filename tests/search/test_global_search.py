"""The console's global search: one box that finds customers, contacts, locations, assets
(by a fragment of the serial), invoices by number, projects, tickets and contracts, grouped by kind, within the
user's scope, at a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StaffRole
from customers import services_contacts
from customers.access import staff_customer_access_set
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    InvoiceFactory,
    LocationFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("search:global")


@pytest.fixture
def harbour(in_tenant):
    company = CustomerFactory(name="Harbourview Logistics", city="Rotterdam")
    services_contacts.contact_create(
        customer=company, actor=None, name="Hana Harbour", email="hana@harbourview.example"
    )
    site = LocationFactory(customer=company, name="Harbourview Depot")
    AssetFactory(owner=company, location=site, name="Core switch", serial_number="FOC2231X0QZ")
    InvoiceFactory(customer=company, number="INV-778899")
    ProjectFactory(customer=company, name="Harbourview network refresh")
    from contracts.models import Contract
    from tickets.models import Ticket

    Ticket.objects.create(customer=company, subject="Crane sensor offline", description="x")
    Contract.objects.create(
        customer=company, name="Quayside support", kind="retainer", start_date=date(2026, 1, 1)
    )
    return company


def groups(response) -> dict[str, list[str]]:
    return {
        group.key: [result.title for result in group.results]
        for group in response.context["groups"]
    }


def test_one_box_finds_every_kind_grouped(client_as, harbour):
    staff = client_as(StaffRole.VIEWER)
    found = groups(staff.get(URL, {"q": "harbour"}))
    assert found["customers"] == ["Harbourview Logistics"]
    assert found["contacts"] == ["Hana Harbour"]
    assert found["locations"] == ["Harbourview Depot"]
    assert found["projects"] == ["Harbourview network refresh"]
    assert groups(staff.get(URL, {"q": "2231x0"})) == {"assets": ["Core switch"]}
    assert groups(staff.get(URL, {"q": "inv-7788"})) == {"invoices": ["INV-778899"]}
    (ticket,) = found["tickets"]  # by its company's name
    assert ticket.endswith("Crane sensor offline")
    assert [t.endswith("Quayside support") for t in found["contracts"]] == [True]
    assert list(groups(staff.get(URL, {"q": "crane sens"}))) == ["tickets"]
    assert list(groups(staff.get(URL, {"q": "quaysid"}))) == ["contracts"]
    page = staff.get(URL, {"q": "hana@harbourview"}).content.decode()
    assert "Hana Harbour" in page and "Harbourview Logistics" in page  # customer by contact


def test_the_live_partial_returns_only_the_results(client_as, harbour):
    staff = client_as(StaffRole.STAFF)
    partial = staff.get(URL, {"q": "harbour"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="global-search-results"' in partial and "<html" not in partial
    assert "Harbourview Depot" in partial
    short = staff.get(URL, {"q": "ha"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Type at least 3 characters" in short
    none = staff.get(URL, {"q": "zzqxw"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Nothing matches" in none


def test_more_than_five_leads_to_the_filtered_list(client_as, in_tenant):
    for index in range(7):
        CustomerFactory(name=f"Quayside {index}")
    staff = client_as(StaffRole.STAFF)
    response = staff.get(URL, {"q": "quayside"})
    (group,) = response.context["groups"]
    assert len(group.results) == 5 and group.more
    assert f"{reverse('customers:customer_list')}?q=quayside" in response.content.decode()


def test_a_limited_staff_member_finds_only_their_customers_records(in_tenant, harbour):
    owner = UserFactory(role=StaffRole.OWNER)
    mine = CustomerFactory(name="Harbour Mine Ltd")
    member = UserFactory(role=StaffRole.STAFF)
    staff_customer_access_set(
        member=member, access="assigned", teams=[], customers=[mine], actor=owner
    )
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(member)
    found = groups(client.get(URL, {"q": "harbour"}))
    assert found == {"customers": ["Harbour Mine Ltd"]}
    assert groups(client.get(URL, {"q": "2231x0"})) == {}
    assert groups(client.get(URL, {"q": "INV-778899"})) == {}


def test_customer_users_have_no_console_search(portal_client, harbour):
    customer = portal_client(harbour, "admin")
    assert customer.get(URL, {"q": "harbour"}).status_code in (302, 403)


def test_a_fixed_number_of_queries_however_many_match(client_as, harbour):
    staff = client_as(StaffRole.STAFF)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(URL, {"q": "harbour"}).status_code == 200
        return len(queries)

    few = count()
    for index in range(12):
        company = CustomerFactory(name=f"Harbour Twin {index}")
        LocationFactory(customer=company, name=f"Harbour Yard {index}")
        ProjectFactory(customer=company, name=f"Harbour Job {index}", start_date=date(2026, 1, 1))
    assert count() == few <= 16
