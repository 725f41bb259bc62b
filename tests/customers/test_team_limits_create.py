"""A staff user limited to assigned customers creates nothing out of their own reach: a new
customer goes below one of theirs (the wizard and quick add ask for the parent), an asset they
add or edit stays owned by, or placed at, one of their customers. The services enforce it, so
the pages, the API and imports follow; an unlimited user (and the system) works as before."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import StaffRole
from accounts.tokens import api_token_create
from assets import services as asset_services
from assets.models import Asset
from assets.services import ASSET_OUT_OF_REACH
from customers import services as customer_services
from customers.access import staff_customer_access_set
from customers.forms import NEW_CUSTOMER_PARENT_HELP
from customers.models import Customer
from customers.services import NEW_TOP_LEVEL_REFUSED
from tests.factories import AssetFactory, CustomerFactory, LocationFactory, UserFactory

WIZARD = "/customers/add/"
QUICK_ADD = "/customers/quick-add/"


@pytest.fixture
def world(in_tenant):
    owner = UserFactory(role=StaffRole.OWNER)
    mine = CustomerFactory(name="Mine Corp")
    theirs = CustomerFactory(name="Theirs Corp")
    member = staff_customer_access_set(
        member=UserFactory(role=StaffRole.STAFF),
        access="assigned",
        teams=[],
        customers=[mine],
        actor=owner,
    )
    return {
        "member": member,
        "unlimited": UserFactory(role=StaffRole.STAFF),
        "mine": mine,
        "theirs": theirs,
        "my_site": LocationFactory(customer=mine, name="Mine HQ"),
        "their_site": LocationFactory(customer=theirs, name="Theirs HQ"),
    }


def client_for(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(user)
    return client


def api_for(user) -> Client:
    _, secret = api_token_create(user=user, name="test")
    return Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")


def post_json(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def refused(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- Customers ----------------------------------------------------------------------------------


def test_the_service_refuses_a_limited_users_customer_outside_their_reach(world):
    member = world["member"]
    create = customer_services.customer_create
    assert refused(lambda: create(actor=member, name="Top Co")) == {
        "parent": [NEW_TOP_LEVEL_REFUSED]
    }
    assert refused(lambda: create(actor=member, name="Sneaky", parent=world["theirs"])) == {
        "parent": [NEW_TOP_LEVEL_REFUSED]
    }
    assert not Customer.objects.filter(name__in=["Top Co", "Sneaky"]).exists()
    sub = create(actor=member, name="Sub Co", parent=world["mine"])
    assert Customer.objects.visible_to(member).filter(pk=sub.pk).exists()
    # Everyone else as before: an unlimited user, and the system (no actor).
    assert create(actor=world["unlimited"], name="Free Co").parent_id is None
    assert create(actor=None, name="System Co").parent_id is None


def test_the_wizard_asks_a_limited_user_for_a_parent_of_theirs(world):
    client = client_for(world["member"])
    page = client.get(WIZARD).content.decode()
    assert NEW_CUSTOMER_PARENT_HELP in page
    step = {
        "customer_create_wizard-current_step": "company",
        "company-name": "Top Co",
        "company-status": "active",
        "company-business_type": "smb",
    }
    response = client.post(WIZARD, step)
    assert response.context["wizard"]["steps"].current == "company"
    assert response.context["form"].errors["parent"] == [NEW_TOP_LEVEL_REFUSED]
    response = client.post(WIZARD, {**step, "company-parent": world["theirs"].pk})
    assert response.context["form"].errors["parent"] == ["Choose a customer from the list."]
    response = client.post(WIZARD, {**step, "company-parent": world["mine"].pk})
    assert response.context["wizard"]["steps"].current == "contact", response.context["form"].errors
    for name in ("contact", "extras", "review"):
        response = client.post(WIZARD, {"customer_create_wizard-current_step": name})
    created = Customer.objects.get(name="Top Co")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.parent_id == world["mine"].pk

    unlimited = client_for(world["unlimited"])
    assert NEW_CUSTOMER_PARENT_HELP not in unlimited.get(WIZARD).content.decode()
    response = unlimited.post(WIZARD, {**step, "company-name": "Free Co"})
    assert response.context["wizard"]["steps"].current == "contact"


def test_quick_add_asks_a_limited_user_for_a_parent(world):
    client = client_for(world["member"])
    assert NEW_CUSTOMER_PARENT_HELP in client.get("/customers/").content.decode()  # the dialog
    assert 'name="parent"' in client.get(QUICK_ADD).content.decode()
    response = client.post(QUICK_ADD, {"name": "Top Co"})
    assert response.status_code == 200
    assert NEW_TOP_LEVEL_REFUSED in response.content.decode()
    response = client.post(QUICK_ADD, {"name": "Sneaky", "parent": world["theirs"].pk})
    assert response.status_code == 200
    assert not Customer.objects.filter(name__in=["Top Co", "Sneaky"]).exists()
    response = client.post(QUICK_ADD, {"name": "Sub Co", "parent": world["mine"].pk})
    sub = Customer.objects.get(name="Sub Co")
    assert response.status_code == 302 and sub.parent_id == world["mine"].pk
    assert client.get(sub.get_absolute_url()).status_code == 200

    unlimited = client_for(world["unlimited"])
    assert 'name="parent"' not in unlimited.get(QUICK_ADD).content.decode()
    assert unlimited.post(QUICK_ADD, {"name": "Free Co"}).status_code == 302
    assert Customer.objects.get(name="Free Co").parent_id is None


def test_the_api_refuses_a_limited_users_top_level_customer(world):
    api = api_for(world["member"])
    response = post_json(api, "/api/v1/customers/", {"name": "Top Co"})
    assert response.status_code == 400
    assert response.json() == {"parent": [NEW_TOP_LEVEL_REFUSED]}
    items = [{"name": "Sub Co", "parent": world["mine"].pk}, {"name": "Top Co"}]
    response = post_json(api, "/api/v1/customers/bulk/", items)
    assert response.status_code == 400
    assert response.json() == {"errors": {"1": {"parent": [NEW_TOP_LEVEL_REFUSED]}}}
    assert not Customer.objects.filter(name__in=["Sub Co", "Top Co"]).exists()  # all or none
    response = post_json(api, "/api/v1/customers/bulk/", items[:1])
    assert response.status_code == 201
    response = post_json(api_for(world["unlimited"]), "/api/v1/customers/", {"name": "Top Co"})
    assert response.status_code == 201


# --- Assets -------------------------------------------------------------------------------------


def test_the_service_keeps_a_limited_users_new_asset_in_their_reach(world):
    member, create = world["member"], asset_services.asset_create
    assert refused(lambda: create(actor=member, name="Loose", serial_number="SN-1")) == {
        "owner": [ASSET_OUT_OF_REACH]
    }
    assert refused(
        lambda: create(
            actor=member,
            name="Theirs",
            serial_number="SN-2",
            owner=world["theirs"],
            location=world["their_site"],
        )
    ) == {"owner": [ASSET_OUT_OF_REACH]}
    assert not Asset.objects.exists()
    owned = create(actor=member, name="Owned", serial_number="SN-3", owner=world["mine"])
    # Placed at one of my customers' sites, owned by the business or by someone else.
    placed = create(actor=member, name="Placed", serial_number="SN-4", location=world["my_site"])
    hosted = create(
        actor=member,
        name="Hosted",
        serial_number="SN-5",
        owner=world["theirs"],
        location=world["my_site"],
    )
    assert set(Asset.objects.visible_to(member)) == {owned, placed, hosted}
    assert create(actor=world["unlimited"], name="Free", serial_number="SN-6").owner is None


def test_the_service_keeps_a_limited_users_edited_asset_in_their_reach(world):
    asset = AssetFactory(owner=world["mine"], location=None, name="Laptop", serial_number="SN-7")
    member, update = world["member"], asset_services.asset_update
    assert refused(lambda: update(asset_id=asset.pk, data={"owner": None}, actor=member)) == {
        "owner": [ASSET_OUT_OF_REACH]
    }
    assert refused(
        lambda: update(asset_id=asset.pk, data={"owner": world["theirs"]}, actor=member)
    ) == {"owner": [ASSET_OUT_OF_REACH]}
    asset.refresh_from_db()
    assert asset.owner_id == world["mine"].pk
    moved = update(
        asset_id=asset.pk, data={"owner": None, "location": world["my_site"]}, actor=member
    )
    assert moved.owner_id is None and moved.location_id == world["my_site"].pk
    update(asset_id=asset.pk, data={"location": None}, actor=world["unlimited"])


def test_the_asset_pages_put_the_rule_on_the_owner_field(world):
    client = client_for(world["member"])
    assert ASSET_OUT_OF_REACH in client.get("/assets/add/").content.decode()
    data = {"name": "Loose", "serial_number": "SN-8", "category": "laptop", "status": "deployed"}
    response = client.post("/assets/add/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["owner"] == [ASSET_OUT_OF_REACH]
    assert not Asset.objects.exists()
    response = client.post("/assets/add/", {**data, "owner": world["mine"].pk})
    asset = Asset.objects.get(serial_number="SN-8")
    assert response.status_code == 302 and asset.owner_id == world["mine"].pk
    response = client.post(f"/assets/{asset.pk}/edit/", {**data, "owner": ""})
    assert response.context["form"].errors["owner"] == [ASSET_OUT_OF_REACH]
    asset.refresh_from_db()
    assert asset.owner_id == world["mine"].pk
    unlimited = client_for(world["unlimited"])
    assert ASSET_OUT_OF_REACH not in unlimited.get("/assets/add/").content.decode()


def test_the_api_refuses_a_limited_users_asset_out_of_reach(world):
    api = api_for(world["member"])
    data = {"name": "Loose", "serial_number": "SN-9"}
    response = post_json(api, "/api/v1/assets/", data)
    assert response.status_code == 400
    assert response.json() == {"owner": [ASSET_OUT_OF_REACH]}
    response = post_json(api, "/api/v1/assets/", {**data, "location": world["my_site"].pk})
    assert response.status_code == 201


def test_the_duplicate_warning_names_only_customers_a_limited_user_can_reach(in_tenant):
    from customers.access import staff_customer_access_set
    from customers.services import likely_duplicates
    from tests.factories import CustomerFactory, UserFactory

    owner = UserFactory(role="owner")
    mine = CustomerFactory(name="Harbor Logistics")
    CustomerFactory(name="Harbor Logistic")  # outside the limited user's reach
    limited = UserFactory(role="staff")
    staff_customer_access_set(
        member=limited, access="assigned", teams=[], customers=[mine], actor=owner
    )
    from core.scope import scope_for

    names = {c.name for c in likely_duplicates(name="Harbor Logistics", scope=scope_for(limited))}
    assert names == {"Harbor Logistics"}
    everyone = {c.name for c in likely_duplicates(name="Harbor Logistics", scope=scope_for(owner))}
    assert everyone == {"Harbor Logistics", "Harbor Logistic"}
