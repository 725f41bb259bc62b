from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from assets.models import Asset
from tests.factories import AssetFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db
LIST = "/assets/"


def listed(client, **params):
    response = client.get(LIST, params)
    return sorted(row.record.name for row in response.context["table"].page.object_list)


def asset_data(**changes):
    data = {
        "name": "LAP-1",
        "serial_number": "SN-1",
        "model_name": "T14",
        "category": "laptop",
        "status": "deployed",
        "value": "1200.00",
    }
    data.update(changes)
    return data


def test_create_an_asset_owned_by_one_customer_at_anothers_site(client_as):
    staff = client_as(StaffRole.STAFF)
    owner = CustomerFactory(name="Owner Co")
    site = LocationFactory(name="Host DC", customer=CustomerFactory(name="Host Co"))
    response = staff.post(
        reverse("assets:asset_create"), asset_data(owner=owner.pk, location=site.pk)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    asset = Asset.objects.get()
    assert asset.owner == owner and asset.location == site and asset.is_hosted_elsewhere


@pytest.mark.parametrize("serial", ["sn-0001", "  SN-0001 ", "SN-0001"])
def test_serial_numbers_are_unique_ignoring_case_and_spaces(client_as, serial):
    staff = client_as(StaffRole.STAFF)
    AssetFactory(serial_number="SN-0001")
    response = staff.post(reverse("assets:asset_create"), asset_data(serial_number=serial))
    assert response.status_code == 200
    assert "already has this serial number" in response.content.decode()
    assert Asset.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "-5"}, "greater than or equal to 0"),
        ({"value": "abc"}, "Enter a number"),
        ({"category": "spaceship"}, "valid choice"),
        ({"location": "999999"}, "Choose a location"),
        ({"purchase_date": "2024-13-45"}, "valid date"),
        ({"name": ""}, "required"),
    ],
)
def test_bad_asset_input_changes_nothing(client_as, changes, message):
    staff = client_as(StaffRole.STAFF)
    response = staff.post(reverse("assets:asset_create"), asset_data(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Asset.objects.exists()


def test_a_location_of_a_deleted_customer_is_refused(client_as):
    staff = client_as(StaffRole.STAFF)
    gone = LocationFactory(customer=CustomerFactory(deleted_at=timezone.now()))
    response = staff.post(reverse("assets:asset_create"), asset_data(location=gone.pk))
    assert response.status_code == 200
    assert not Asset.objects.exists()


def test_search_by_partial_serial_and_model(client_as):
    viewer = client_as(StaffRole.VIEWER)
    AssetFactory(name="A", serial_number="XYZ-12345-ABC", model_name="ThinkPad T14")
    AssetFactory(name="B", serial_number="QQQ-99999", model_name="Latitude")
    assert listed(viewer, q="12345") == ["A"]
    assert listed(viewer, q="thinkpad") == ["A"]
    assert listed(viewer, q="%") == []


def test_filter_assets_not_owned_by_where_they_sit(client_as):
    viewer = client_as(StaffRole.VIEWER)
    site = LocationFactory()
    AssetFactory(name="Theirs here", location=site)
    AssetFactory(name="Ours there", location=site, owner=None)
    AssetFactory(name="Foreign", location=site, owner=CustomerFactory())
    AssetFactory(name="In repair", location=None, owner=site.customer)
    assert listed(viewer, ownership="elsewhere") == ["Foreign", "Ours there"]
    assert listed(viewer, ownership="tenant") == ["Ours there"]
    assert listed(viewer, location_customer_id=site.customer_id) == [
        "Foreign",
        "Ours there",
        "Theirs here",
    ]
    assert listed(viewer, owner_id=site.customer_id) == ["In repair", "Theirs here"]


def test_bulk_move_is_atomic_and_recorded(client_as):
    staff = client_as(StaffRole.STAFF)
    first, second = AssetFactory(name="One"), AssetFactory(name="Two")
    target = LocationFactory(name="New Home")
    response = staff.post(
        reverse("assets:asset_bulk"),
        {"action": "move", "location": target.pk, "asset_ids": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    for asset in (first, second):
        asset.refresh_from_db()
        assert asset.location == target
        assert (
            asset.history.order_by("-history_id").first().history_change_reason
            == "Moved to New Home (bulk)"
        )


def test_bulk_change_with_a_vanished_row_changes_nothing(client_as):
    staff = client_as(StaffRole.STAFF)
    asset = AssetFactory(status="deployed")
    response = staff.post(
        reverse("assets:asset_bulk"),
        {"action": "status", "status": "retired", "asset_ids": [asset.pk, 999999]},
        follow=True,
    )
    assert "nothing was changed" in response.content.decode()
    asset.refresh_from_db()
    assert asset.status == "deployed"


@pytest.mark.parametrize(
    "data",
    [
        {"action": "move", "asset_ids": "1"},
        {"action": "status", "status": "melted"},
        {"action": "explode"},
        {"action": "status", "status": ""},
        {"action": "move", "location": "abc"},
    ],
)
def test_bad_bulk_requests_change_nothing(client_as, data):
    staff = client_as(StaffRole.STAFF)
    asset = AssetFactory(status="deployed")
    payload = {"asset_ids": [asset.pk], **data}
    response = staff.post(reverse("assets:asset_bulk"), payload, follow=True)
    assert response.status_code == 200
    asset.refresh_from_db()
    assert asset.status == "deployed"


def test_bulk_archive_needs_an_admin(client_as):
    staff = client_as(StaffRole.STAFF)
    asset = AssetFactory()
    staff.post(reverse("assets:asset_bulk"), {"action": "archive", "asset_ids": [asset.pk]})
    asset.refresh_from_db()
    assert not asset.is_archived
    admin = client_as(StaffRole.ADMIN)
    admin.post(reverse("assets:asset_bulk"), {"action": "archive", "asset_ids": [asset.pk]})
    asset.refresh_from_db()
    assert asset.is_archived


def test_viewer_cannot_bulk_change(client_as):
    viewer = client_as(StaffRole.VIEWER)
    asset = AssetFactory(status="deployed")
    assert (
        viewer.post(
            reverse("assets:asset_bulk"),
            {"action": "status", "status": "lost", "asset_ids": [asset.pk]},
        ).status_code
        == 403
    )


def test_asset_list_query_count_is_flat(client_as, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer = client_as(StaffRole.VIEWER)
    AssetFactory()
    with CaptureQueriesContext(connection) as small:
        viewer.get(LIST)
    for _ in range(20):
        AssetFactory(value=Decimal("10"))
    with CaptureQueriesContext(connection) as large:
        viewer.get(LIST)
    assert len(small) == len(large) <= 11  # 11: the user's columns and saved views (one query)


def test_the_asset_list_counts_only_up_to_the_cap(client_as, monkeypatch):
    from core.generic import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    viewer = client_as(StaffRole.VIEWER)
    for _ in range(3):
        AssetFactory()
    assert "3 results" in viewer.get(LIST).content.decode()
    AssetFactory()
    assert "More than 3 results" in viewer.get(LIST).content.decode()


def test_add_asset_here_prefills_the_location(client_as):
    staff = client_as(StaffRole.STAFF)
    site = LocationFactory(name="Prefilled Site")
    content = staff.get(reverse("assets:asset_create"), {"location": site.pk}).content.decode()
    assert f'value="{site.pk}" data-autocomplete-value' in content
    assert "Prefilled Site" in content
