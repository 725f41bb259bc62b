from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from assets.models import Asset
from billing.models import Project
from customers import services
from customers.overview import customer_family_ids, customer_overview
from locations.models import Location
from tests.factories import AssetFactory, CustomerFactory, LocationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(in_tenant):
    today = timezone.localdate()
    acme = CustomerFactory(name="Acme")
    hq = LocationFactory(customer=acme, name="HQ", location_type="headquarters")
    LocationFactory(customer=acme, name="Depot", location_type="warehouse", status="planned")
    other_site = LocationFactory(name="Elsewhere")
    AssetFactory(location=hq, category="server")  # theirs, at their site
    AssetFactory(location=hq, owner=None, category="laptop")  # ours, hosted at theirs
    AssetFactory(location=other_site, owner=acme, category="network")  # theirs, elsewhere
    AssetFactory(location=None, owner=acme, status="in_repair")  # theirs, back with us
    ProjectFactory(
        customer=acme, start_date=today - timedelta(days=10), contract_value=Decimal("1000")
    )
    ProjectFactory(
        customer=acme, start_date=today + timedelta(days=10), contract_value=Decimal("50")
    )
    ProjectFactory(
        customer=acme, start_date=today - timedelta(days=90), end_date=today - timedelta(days=1)
    )
    return acme


def test_overview_sums_value_projects_assets_and_sites(acme):
    overview = customer_overview([acme.pk])
    assert overview["value"] == Decimal("1000")
    assert (
        overview["projects"]["active"],
        overview["projects"]["upcoming"],
        overview["projects"]["past"],
    ) == (1, 1, 1)
    assert overview["assets_on_location"].total == 2
    assert overview["assets_on_location"].extra == 1  # the hosted one is not theirs
    assert overview["assets_owned"].total == 3
    assert overview["assets_owned"].extra == 2  # elsewhere and in repair
    assert dict(overview["sites"].by_category) == {"Headquarters": 1, "Warehouse": 1}


def test_rollup_covers_sub_accounts(acme):
    child = CustomerFactory(name="Acme EU", parent=acme)
    grandchild = CustomerFactory(name="Acme DE", parent=child)
    LocationFactory(customer=grandchild)
    assert set(customer_family_ids(acme.pk)) == {acme.pk, child.pk, grandchild.pk}
    assert customer_overview(customer_family_ids(acme.pk))["sites"].total == 3


def test_customer_page_shows_the_overview_in_constant_queries(client_as, acme):
    viewer = client_as(StaffRole.VIEWER)
    url = reverse("customers:customer_detail", args=[acme.pk])
    with CaptureQueriesContext(connection) as small:
        response = viewer.get(url)
    assert "Customer value" in response.content.decode()
    for _ in range(10):
        AssetFactory(location=Location.objects.get(name="HQ"))
        ProjectFactory(customer=acme)
    with CaptureQueriesContext(connection) as large:
        viewer.get(url, {"rollup": "1"})
    assert len(large) <= len(small) + 1  # the family lookup


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("customer_assets_on_location", 2),
        ("customer_assets_owned", 3),
        ("customer_locations", 2),
        ("customer_projects", 3),
    ],
)
def test_related_tabs_list_the_right_records(client_as, acme, tab, expected):
    viewer = client_as(StaffRole.VIEWER)
    response = viewer.get(reverse(f"customers:{tab}", args=[acme.pk]))
    assert response.context["table"].page.paginator.count == expected


def test_customer_list_counts_locations_and_assets(client_as, acme):
    viewer = client_as(StaffRole.VIEWER)
    response = viewer.get("/customers/", {"q": "acme"})
    row = next(r for r in response.context["table"].page.object_list if r.record.name == "Acme")
    assert (
        row.record.locations_count,
        row.record.assets_on_location_count,
        row.record.assets_owned_count,
    ) == (2, 2, 3)


def test_history_tab_merges_locations_assets_and_projects(client_as, acme):
    viewer = client_as(StaffRole.VIEWER)
    content = viewer.get(reverse("customers:customer_history", args=[acme.pk])).content.decode()
    for label in ("Location", "Asset", "Project"):
        assert f">{label}</span>" in content


def test_purge_keeps_projects_frees_assets_and_removes_locations(in_tenant, acme):
    services.customer_soft_delete(customer_id=acme.pk, actor=None)
    services.customer_purge(customer_id=acme.pk, actor=None)
    assert not Location.objects.filter(name__in=["HQ", "Depot"]).exists()
    assert Project.objects.filter(customer_name="Acme", customer__isnull=True).count() == 3
    assert not Asset.objects.filter(owner_id=acme.pk).exists()
    hosted = Asset.objects.get(category="laptop")
    assert hosted.location is None
    assert "was purged" in hosted.history.order_by("-history_id").first().history_change_reason
    repaired = Asset.objects.get(status="in_repair")
    assert repaired.owner is None
    assert (
        "now owned by your business"
        in repaired.history.order_by("-history_id").first().history_change_reason
    )
