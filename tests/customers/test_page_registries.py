"""The customer page's parts that other apps register (tabs, overview sections, list count
columns, history sources, lifecycle reactions): what is registered, in which order, and that
the URLs, queries and transactions are what they were when customers built them itself."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.models import StaffRole
from customers import reactions, services
from customers.history import customer_history_sources
from customers.models import Customer
from customers.overview import OVERVIEW_SECTIONS
from customers.querysets import COUNT_COLUMNS
from customers.tables import CustomerTable
from customers.tabs import CUSTOMER_TABS
from locations.models import Location
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    LocationFactory,
    MembershipFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

OWNED_TABS = [
    ("customers:customer_projects", "projects/", "billing.views.projects"),
    ("customers:customer_locations", "locations/", "locations.views"),
    ("customers:customer_assets_on_location", "assets-on-location/", "assets.views"),
    ("customers:customer_assets_owned", "assets-owned/", "assets.views"),
    ("customers:customer_documents", "documents/", "documents.views"),
    ("customers:customer_analytics", "analytics/", "billing.views.analytics"),
    ("customers:customer_tickets", "tickets/", "tickets.views"),
    ("customers:customer_contracts", "contracts/", "contracts.views"),
]


def test_tabs_come_in_order_from_their_apps():
    assert [tab.key for tab in CUSTOMER_TABS] == [
        "overview",
        "activity",
        "contacts",
        "tickets",
        "contracts",
        "projects",
        "locations",
        "assets_on_location",
        "assets_owned",
        "users",
        "billing",
        "analytics",
        "documents",
        "subaccounts",
        "linked",
        "history",
    ]


@pytest.mark.parametrize(("name", "path", "module"), OWNED_TABS)
def test_tabs_of_other_apps_keep_their_customers_url(name, path, module):
    url = reverse(name, args=[7])
    assert url == f"/customers/7/{path}"
    assert resolve(url).func.view_class.__module__ == module


def test_sections_columns_and_history_are_registered_by_their_owners(in_tenant):
    assert [(s.key, s.figures.__module__) for s in OVERVIEW_SECTIONS] == [
        ("contacts", "customers.services_contacts"),
        ("projects", "billing.customer_page"),
        ("assets", "assets.customer_page"),
        ("sites", "locations.customer_page"),
    ]
    assert [(c.name, c.label) for c in COUNT_COLUMNS] == [
        ("locations_count", "Locations"),
        ("assets_on_location_count", "Assets on location"),
        ("assets_owned_count", "Assets owned"),
    ]
    # The tenant's custom-field and tag columns (built per request) come between them.
    headers = [str(column.header) for column in CustomerTable([]).columns]
    counted = ["Locations", "Assets on location", "Assets owned"]
    at = headers.index("Locations")
    assert headers[at : at + 3] == counted and headers[-1] == "Actions"


def test_history_sources_follow_the_customer_own(in_tenant):
    customer = CustomerFactory()
    labels = [source.label for source in customer_history_sources(customer)]
    assert labels == ["", "Location", "Asset", "Project", "Document", "Ticket", "Contract"]


@pytest.mark.parametrize(("name", "path", "module"), OWNED_TABS)
def test_a_tab_costs_the_same_queries_for_2_or_22_records(client_as, name, path, module):
    viewer = client_as(StaffRole.VIEWER)
    customer = CustomerFactory()
    site = LocationFactory(customer=customer)

    def add(n):
        for _ in range(n):
            LocationFactory(customer=customer)
            AssetFactory(location=site, owner=customer)
            ProjectFactory(customer=customer)

    add(2)
    url = reverse(name, args=[customer.pk])
    with CaptureQueriesContext(connection) as small:
        assert viewer.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as large:
        viewer.get(url)
    assert len(small) == len(large)


def test_a_deleted_customer_tabs_list_its_records_to_admins_only(client_as):
    admin, viewer = client_as(StaffRole.ADMIN), client_as(StaffRole.VIEWER)
    gone = CustomerFactory(name="Gone", deleted_at=timezone.now())
    LocationFactory(customer=gone, name="Gone site")
    url = reverse("customers:customer_locations", args=[gone.pk])
    response = admin.get(url)
    assert [row.record.name for row in response.context["table"].page.object_list] == ["Gone site"]
    assert viewer.get(url).status_code == 404


def test_a_live_customer_tab_leaves_out_what_belongs_to_a_deleted_one(client_as):
    """Records of a deleted sub-account stay out of a live parent's rolled-up tab."""
    admin = client_as(StaffRole.ADMIN)
    parent = CustomerFactory(name="Parent")
    LocationFactory(customer=parent, name="Parent site")
    LocationFactory(customer=CustomerFactory(parent=parent, deleted_at=timezone.now()))
    response = admin.get(reverse("customers:customer_locations", args=[parent.pk]), {"rollup": 1})
    assert [row.record.name for row in response.context["table"].page.object_list] == [
        "Parent site"
    ]


def test_a_failing_reaction_keeps_nothing_of_the_deletion(in_tenant, monkeypatch):
    customer = CustomerFactory()
    member = MembershipFactory(customer=customer)

    def fail(customer, *, actor):
        raise RuntimeError("reaction failed")

    monkeypatch.setattr(reactions, "on_customer_deleted", [*reactions.on_customer_deleted, fail])
    with pytest.raises(RuntimeError):
        services.customer_soft_delete(customer_id=customer.pk, actor=None)
    assert Customer.objects.get(pk=customer.pk).deleted_at is None
    member.user.refresh_from_db()
    assert member.user.is_active  # the portal's reaction ran, and was rolled back too


def test_purge_reactions_run_before_the_customer_goes(in_tenant, monkeypatch):
    customer = CustomerFactory(deleted_at=timezone.now())
    LocationFactory(customer=customer)
    seen = []

    def look(customer, *, actor):
        seen.append(Location.objects.filter(customer=customer).count())

    monkeypatch.setattr(reactions, "on_customer_purged", [*reactions.on_customer_purged, look])
    services.customer_purge(customer_id=customer.pk, actor=None)
    assert seen == [1]
    assert not Customer.objects.filter(pk=customer.pk).exists()
