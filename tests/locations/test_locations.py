import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from locations import services
from locations.models import Location
from tests.factories import CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


def listed(client, **params):
    response = client.get(reverse("locations:location_list"), params)
    return [row.record.name for row in response.context["table"].page.object_list]


def test_staff_adds_a_location_for_a_customer(client_as):
    staff = client_as(StaffRole.STAFF)
    customer = CustomerFactory(name="Acme")
    response = staff.post(
        reverse("locations:location_create"),
        {
            "customer": customer.pk,
            "name": "Berlin office",
            "location_type": "office",
            "status": "active",
            "city": "Berlin",
            "country": "DE",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    location = Location.objects.get()
    assert location.customer == customer
    assert location.history.get().history_user == staff.user


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"customer": ""}, "Choose a customer"),
        ({"customer": "999999"}, "Choose a customer"),
        ({"name": ""}, "required"),
        ({"location_type": "moon"}, "valid choice"),
        ({"country": "XX"}, "valid choice"),
    ],
)
def test_bad_location_input_changes_nothing(client_as, data, message):
    staff = client_as(StaffRole.STAFF)
    customer = CustomerFactory()
    payload = {
        "customer": customer.pk,
        "name": "Site",
        "location_type": "office",
        "status": "active",
        **data,
    }
    response = staff.post(reverse("locations:location_create"), payload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Location.objects.exists()


def test_a_deleted_customer_cannot_get_a_location(in_tenant):
    customer = CustomerFactory(deleted_at=timezone.now())
    with pytest.raises(ValidationError):
        services.location_create(actor=None, customer=customer, name="Ghost site")
    assert not Location.objects.exists()


def test_deleted_customers_locations_are_hidden(client_as):
    viewer = client_as(StaffRole.VIEWER)
    LocationFactory(name="Visible site")
    hidden = LocationFactory(
        name="Hidden site", customer=CustomerFactory(deleted_at=timezone.now())
    )
    assert listed(viewer) == ["Visible site"]
    assert viewer.get(hidden.get_absolute_url()).status_code == 404


def test_archived_location_leaves_list_and_dropdown_but_is_found_by_name(client_as):
    admin = client_as(StaffRole.ADMIN)
    location = LocationFactory(name="Old Depot")
    admin.post(reverse("locations:location_archive", args=[location.pk]))
    assert listed(admin) == []
    assert listed(admin, archived="only") == ["Old Depot"]
    dropdown = reverse("locations:location_autocomplete")
    assert "Old Depot" not in admin.get(dropdown).content.decode()
    found = admin.get(dropdown, {"autocomplete_q": "depot"}).content.decode()
    assert "Old Depot" in found and "Archived" in found


def test_moving_a_location_is_explicit_and_recorded(client_as):
    admin = client_as(StaffRole.ADMIN)
    location = LocationFactory(name="Shared DC", customer=CustomerFactory(name="Old Owner"))
    new_owner = CustomerFactory(name="New Owner")
    response = admin.post(
        reverse("locations:location_move", args=[location.pk]), {"customer": new_owner.pk}
    )
    assert response.status_code == 302
    location.refresh_from_db()
    assert location.customer == new_owner
    assert (
        location.history.order_by("-history_id").first().history_change_reason
        == "Moved from Old Owner to New Owner"
    )


def test_editing_cannot_change_the_customer(client_as):
    staff = client_as(StaffRole.STAFF)
    location = LocationFactory(name="Site")
    other = CustomerFactory()
    staff.post(
        reverse("locations:location_update", args=[location.pk]),
        {"customer": other.pk, "name": "Renamed", "location_type": "office", "status": "active"},
    )
    location.refresh_from_db()
    assert location.name == "Renamed" and location.customer_id != other.pk


@pytest.mark.parametrize("role", [StaffRole.STAFF, StaffRole.VIEWER])
def test_only_admins_move_and_archive(client_as, role):
    client = client_as(role)
    location = LocationFactory()
    other = CustomerFactory()
    assert (
        client.post(
            reverse("locations:location_move", args=[location.pk]), {"customer": other.pk}
        ).status_code
        == 403
    )
    assert client.post(reverse("locations:location_archive", args=[location.pk])).status_code == 403


def test_location_page_lists_assets_here_with_owners(client_as):
    from tests.factories import AssetFactory

    viewer = client_as(StaffRole.VIEWER)
    location = LocationFactory(name="Main DC")
    AssetFactory(name="Ours", location=location, owner=None)
    AssetFactory(name="Theirs", location=location)
    content = viewer.get(location.get_absolute_url()).content.decode()
    assert "Ours" in content and "Theirs" in content and "hosted" in content
