"""Staff limited to assigned customers: an owner gives a staff user only their teams' and
chosen customers (with sub-accounts), and everything they see follows that limit."""

import pytest
from django.db import connection
from django.test import Client

from accounts.models import StaffRole
from customers.access import staff_customer_access_set, team_save
from customers.teams import Team
from tests.factories import AssetFactory, CustomerFactory, LocationFactory, UserFactory


@pytest.fixture
def world(in_tenant):
    owner = UserFactory(role=StaffRole.OWNER)
    mine = CustomerFactory(name="Mine Corp")
    child = CustomerFactory(name="Mine Child", parent=mine)
    theirs = CustomerFactory(name="Theirs Corp")
    direct = CustomerFactory(name="Direct Corp")
    for customer in (mine, child, theirs, direct):
        LocationFactory(customer=customer, name=f"{customer.name} HQ")
        AssetFactory(owner=customer, location=None, name=f"{customer.name} laptop")
    member = UserFactory(role=StaffRole.STAFF)
    team = team_save(
        team=None, name="North", description="", members=[member], customers=[mine], actor=owner
    )
    staff_customer_access_set(
        member=member, access="assigned", teams=[team], customers=[direct], actor=owner
    )
    return {
        "owner": owner,
        "member": member,
        "mine": mine,
        "child": child,
        "theirs": theirs,
        "direct": direct,
        "team": team,
    }


def client_for(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(user)
    return client


def test_a_limited_staff_user_sees_only_assigned_customers_and_their_sub_accounts(world):
    client = client_for(world["member"])
    page = client.get("/customers/").content.decode()
    assert "Mine Corp" in page and "Mine Child" in page and "Direct Corp" in page
    assert "Theirs Corp" not in page
    assert client.get(f"/customers/{world['theirs'].pk}/").status_code == 404
    assert client.get(f"/customers/{world['child'].pk}/").status_code == 200


def test_their_locations_assets_search_and_exports_follow_the_limit(world):
    client = client_for(world["member"])
    for url in ("/locations/", "/assets/", "/locations/?export=csv", "/customers/?q=corp"):
        response = client.get(url)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode("utf-8-sig")
        assert "Theirs Corp" not in body, url
        assert "Mine" in body, url


def test_the_api_follows_the_limit(world, api_as):
    client = api_as(user=world["member"])
    names = {row["name"] for row in client.get("/api/v1/customers/").json()["results"]}
    assert names == {"Mine Corp", "Mine Child", "Direct Corp"}
    assert client.get(f"/api/v1/customers/{world['theirs'].pk}/").status_code == 404


def test_an_unlimited_staff_user_and_the_owner_see_everything(world):
    other = UserFactory(role=StaffRole.STAFF)
    for user in (other, world["owner"]):
        assert "Theirs Corp" in client_for(user).get("/customers/").content.decode()


def test_only_the_owner_manages_teams_and_access(world):
    admin = client_for(UserFactory(role=StaffRole.ADMIN))
    assert admin.get("/customers/teams/").status_code == 403
    response = admin.post(f"/customers/staff/{world['member'].pk}/access/", {"access": "all"})
    assert response.status_code == 403
    world["member"].refresh_from_db()
    assert world["member"].customer_access == "assigned"


def test_the_owner_lifts_a_limit_and_it_is_in_the_users_history(world):
    owner = client_for(world["owner"])
    assert owner.get(f"/customers/staff/{world['member'].pk}/access/").status_code == 200
    response = owner.post(
        f"/customers/staff/{world['member'].pk}/access/",
        {"access": "all", "teams": [world["team"].pk]},
    )
    assert response.status_code == 302
    member = world["member"]
    member.refresh_from_db()
    assert member.customer_access == "all"
    latest = member.history.first()
    assert latest.history_change_reason == "Sees all customers"
    assert latest.history_user_id == world["owner"].pk
    assert not member.customer_assignments.exists()  # the unticked direct customer is gone
    assert "Theirs Corp" in client_for(member).get("/customers/").content.decode()


def test_teams_are_created_from_the_page_and_bad_input_changes_nothing(world):
    owner = client_for(world["owner"])
    response = owner.post(
        "/customers/teams/add/",
        {"name": "South", "members": [world["member"].pk], "add_customer": world["theirs"].pk},
    )
    assert response.status_code == 302
    south = Team.objects.get(name="South")
    assert list(south.customers.all()) == [world["theirs"]]
    response = owner.post("/customers/teams/add/", {"name": "north"})  # same name, any case
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    response = owner.post("/customers/teams/add/", {"name": "East", "add_customer": "x"})
    assert response.status_code == 200
    assert not Team.objects.filter(name="East").exists()
    # The member now reaches South's customer too.
    assert "Theirs Corp" in client_for(world["member"]).get("/customers/").content.decode()


def test_an_owner_cannot_be_limited(world):
    owner = client_for(world["owner"])
    response = owner.post(f"/customers/staff/{world['owner'].pk}/access/", {"access": "assigned"})
    assert response.status_code == 200
    assert "always sees every customer" in response.content.decode()
    world["owner"].refresh_from_db()
    assert world["owner"].customer_access == "all"
    assert connection.schema_name == "alpha"


def test_the_teams_page_and_an_access_page_keep_their_query_counts(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = client_for(world["owner"])

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner.get(url).status_code == 200
        return len(queries)

    access_url = f"/customers/staff/{world['member'].pk}/access/"
    before = (count("/customers/teams/"), count(access_url))
    for index in range(20):
        member = UserFactory(role=StaffRole.STAFF)
        customer = CustomerFactory(name=f"Extra {index}")
        team_save(
            team=None,
            name=f"Extra team {index}",
            description="",
            members=[member, world["member"]],
            customers=[customer],
            actor=world["owner"],
        )
        staff_customer_access_set(
            member=world["member"],
            access="assigned",
            teams=list(Team.objects.all()),
            customers=[world["direct"], customer],
            actor=world["owner"],
        )
    assert (count("/customers/teams/"), count(access_url)) == before
