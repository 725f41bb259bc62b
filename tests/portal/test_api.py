"""Customer users over the API: console staff manage them (``portal-users``), and customer
users reach their own company with their own tokens (``portal/companies/{cid}/…``)."""

import json

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken, StaffRole, User
from accounts.tokens import api_token_create
from portal.models import JoinRequest, Membership, PermissionSet
from tests.factories import (
    PASSWORD,
    AssetFactory,
    CustomerFactory,
    LocationFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def api_for(tenant):
    """A client on alpha's host with a Bearer token of ``user``."""

    def make(user) -> Client:
        connection.set_tenant(tenant)
        _, secret = api_token_create(user=user, name="test")
        client = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
        client.user = user
        return client

    return make


def staff(role):
    return UserFactory(role=role)


def post_json(client, path, data=None, **extra):
    return client.post(path, json.dumps(data or {}), content_type="application/json", **extra)


# --- Console: portal-users ---------------------------------------------------------------


def test_staff_list_customer_users_with_the_tabs_filters(api_for, company):
    other = CustomerFactory(name="Globex")
    ann = MembershipFactory(customer=company, role="admin", user__first_name="Ann")
    MembershipFactory(customer=company, role="read_only")
    MembershipFactory(customer=other, role="read_only")
    viewer = api_for(staff(StaffRole.VIEWER))
    body = viewer.get(f"{API}/portal-users/", {"customer_id": company.pk}).json()
    assert {row["customer"] for row in body["results"]} == {company.pk}
    assert len(body["results"]) == 2
    admins = viewer.get(f"{API}/portal-users/", {"role": "admin", "q": "ann"}).json()["results"]
    assert [row["email"] for row in admins] == [ann.user.email]
    assert admins[0]["has_password"] is True and admins[0]["is_active"] is True


def test_a_deleted_companys_users_are_not_listed(api_for, company):
    gone = CustomerFactory(name="Gone", deleted_at=company.created_at)
    member = MembershipFactory(customer=gone)
    client = api_for(staff(StaffRole.OWNER))
    assert client.get(f"{API}/portal-users/{member.pk}/").status_code == 404


def test_admin_invites_through_the_service_email_and_history(
    api_for, company, django_capture_on_commit_callbacks
):
    admin = api_for(staff(StaffRole.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            admin,
            f"{API}/portal-users/",
            {
                "customer": company.pk,
                "email": "New.Person@Acme.example",
                "first_name": "New",
                "last_name": "Person",
                "role": "limited",
                "sections": ["locations"],
            },
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "new.person@acme.example" and body["has_password"] is False
    assert body["sections"] == ["locations"]
    (message,) = mail.outbox
    assert message.to == ["new.person@acme.example"] and "password" in message.body.lower()
    membership = Membership.objects.get(pk=body["id"])
    assert membership.history.get().history_user == admin.user
    again = post_json(
        admin,
        f"{API}/portal-users/",
        {**{k: body[k] for k in ("customer", "email", "first_name", "last_name")}, "role": "full"},
    )
    assert again.status_code == 400 and "email" in again.json()


@pytest.mark.parametrize("role", [StaffRole.VIEWER, StaffRole.STAFF])
def test_only_admins_manage_customer_users_as_in_the_console(api_for, company, role):
    member = MembershipFactory(customer=company)
    client = api_for(staff(role))
    data = {"customer": company.pk, "email": "x@acme.example", "first_name": "X"}
    assert post_json(client, f"{API}/portal-users/", {**data, "last_name": "Y"}).status_code == 403
    assert post_json(client, f"{API}/portal-users/{member.pk}/deactivate/").status_code == 403
    member.user.refresh_from_db()
    assert member.user.is_active and not Membership.objects.filter(user__email="x@acme.example")


def test_role_change_and_deactivation(api_for, company):
    member = MembershipFactory(customer=company, role="read_only")
    admin = api_for(staff(StaffRole.ADMIN))
    permission_set = PermissionSet.objects.create(
        customer=company, name="Sites", permissions=["view_locations"]
    )
    foreign_set = PermissionSet.objects.create(
        customer=CustomerFactory(), name="Other", permissions=["view_assets"]
    )
    url = f"{API}/portal-users/{member.pk}"
    refused = post_json(admin, f"{url}/role/", {"role": "custom", "permission_set": foreign_set.pk})
    assert refused.status_code == 400 and "permission_set" in refused.json()
    changed = post_json(
        admin, f"{url}/role/", {"role": "custom", "permission_set": permission_set.pk}
    )
    assert changed.status_code == 200 and changed.json()["role"] == "custom"
    assert post_json(admin, f"{url}/deactivate/").json()["is_active"] is False
    member.user.refresh_from_db()
    assert not member.user.is_active
    assert post_json(admin, f"{url}/reactivate/").json()["is_active"] is True


def test_portal_users_list_query_count_is_flat(api_for, company, django_assert_max_num_queries):
    viewer = api_for(staff(StaffRole.VIEWER))
    MembershipFactory.create_batch(2, customer=company)
    viewer.get(f"{API}/portal-users/")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as two:
        assert viewer.get(f"{API}/portal-users/").status_code == 200
    MembershipFactory.create_batch(20, customer=company)
    with django_assert_max_num_queries(len(two)):
        assert len(viewer.get(f"{API}/portal-users/").json()["results"]) == 22


# --- Customer users' own tokens ----------------------------------------------------------


def test_a_customer_user_creates_a_token_on_their_portal_page(portal_client, company):
    client = portal_client(company, role="read_only")
    page = client.get(f"/portal/c/{company.pk}/api-tokens/")
    assert page.status_code == 200
    response = client.post(f"/portal/c/{company.pk}/api-tokens/", {"name": "Sync"})
    secret = response.context["secret"]
    assert secret.startswith("clt_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=client.user)
    assert secret not in token.key_hash
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
    users = api.get(f"{API}/portal/companies/{company.pk}/users/")
    assert users.status_code == 200
    assert client.user.email in [row["email"] for row in users.json()["results"]]
    assert api.get(f"{API}/customers/").status_code == 403  # never the console's endpoints
    client.post(f"/portal/c/{company.pk}/api-tokens/", {"revoke": token.pk})
    assert api.get(f"{API}/portal/companies/{company.pk}/users/").status_code == 401


def test_portal_tokens_see_only_their_company_and_its_sub_accounts(api_for, company):
    child = CustomerFactory(name="Acme Child", parent=company)
    globex = CustomerFactory(name="Globex")
    site = LocationFactory(customer=company, name="HQ")
    LocationFactory(customer=globex, name="Globex HQ")
    AssetFactory(location=site, name="ACME-1")
    AssetFactory(location=LocationFactory(customer=globex), name="GLOBEX-1")
    admin = MembershipFactory(customer=company, role="admin")
    client = api_for(admin.user)
    base = f"{API}/portal/companies"
    locations = client.get(f"{base}/{company.pk}/locations/").json()["results"]
    assert [row["name"] for row in locations] == ["HQ"]
    assets = client.get(f"{base}/{company.pk}/assets/").json()["results"]
    assert [row["name"] for row in assets] == ["ACME-1"]
    assert client.get(f"{base}/{child.pk}/locations/").status_code == 200
    for path in ("users/", "locations/", "assets/", f"locations/{site.pk}/"):
        assert client.get(f"{base}/{globex.pk}/{path}").status_code == 404
    foreign_member = MembershipFactory(customer=globex)
    assert client.get(f"{base}/{company.pk}/users/{foreign_member.pk}/").status_code == 404


def test_portal_role_decides_what_a_token_may_do(api_for, company):
    site = LocationFactory(customer=company, name="HQ")
    limited = api_for(MembershipFactory(customer=company, role="limited", sections=["users"]).user)
    base = f"{API}/portal/companies/{company.pk}"
    assert limited.get(f"{base}/users/").status_code == 200
    assert limited.get(f"{base}/assets/").status_code == 403
    invite = {"email": "n@acme.example", "first_name": "N", "last_name": "P", "role": "full"}
    assert post_json(limited, f"{base}/users/", invite).status_code == 403
    read_only = api_for(MembershipFactory(customer=company, role="read_only").user)
    etag = read_only.get(f"{base}/locations/{site.pk}/")["ETag"]
    patch = read_only.patch(
        f"{base}/locations/{site.pk}/",
        json.dumps({"name": "Renamed"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert patch.status_code == 403
    full = api_for(MembershipFactory(customer=company, role="full").user)
    patch = full.patch(
        f"{base}/locations/{site.pk}/",
        json.dumps({"name": "Renamed"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert patch.status_code == 200 and patch.json()["name"] == "Renamed"
    site.refresh_from_db()
    assert site.name == "Renamed" and site.history.first().history_user == full.user


def test_a_customer_admin_invites_but_never_another_admin(
    api_for, company, django_capture_on_commit_callbacks
):
    client = api_for(MembershipFactory(customer=company, role="admin").user)
    base = f"{API}/portal/companies/{company.pk}/users/"
    invite = {"email": "n@acme.example", "first_name": "N", "last_name": "P"}
    assert post_json(client, base, {**invite, "role": "admin"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, base, {**invite, "role": "read_only"})
    assert response.status_code == 201 and response.json()["customer"] == company.pk
    assert mail.outbox[0].to == ["n@acme.example"]


def test_suspended_companies_and_console_staff_get_403_on_the_portal_api(api_for, company):
    member = MembershipFactory(customer=company, role="admin")
    client = api_for(member.user)
    owner = api_for(staff(StaffRole.OWNER))
    url = f"{API}/portal/companies/{company.pk}/users/"
    assert owner.get(url).status_code == 403
    company.portal_access = "suspended"
    company.save()
    response = client.get(url)
    assert response.status_code == 403 and "suspended" in response.json()["detail"]


# --- Helping and removing users, join requests ----------------------------------------------


def not_signed_up(company, **kwargs) -> Membership:
    member = MembershipFactory(customer=company, **kwargs)
    member.user.set_unusable_password()
    member.user.save()
    return member


def test_admin_resends_the_welcome_email_through_the_service(
    api_for, company, django_capture_on_commit_callbacks
):
    member = not_signed_up(company, user__email="stuck@acme.example")
    admin = api_for(staff(StaffRole.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(admin, f"{API}/portal-users/{member.pk}/resend-invitation/")
    assert response.status_code == 200, response.json()
    assert response.json()["invitation_sent_at"] is not None
    (message,) = mail.outbox
    assert message.to == ["stuck@acme.example"] and "one-time link" in message.body
    record = member.history.first()
    assert record.history_user == admin.user
    assert record.history_change_reason == "Welcome email sent again"


def test_resending_an_invitation_already_accepted_is_a_clear_400(
    api_for, company, django_capture_on_commit_callbacks
):
    member = MembershipFactory(customer=company)  # has chosen a password
    admin = api_for(staff(StaffRole.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(admin, f"{API}/portal-users/{member.pk}/resend-invitation/")
    assert response.status_code == 400
    assert "already chosen a password" in response.json()["detail"][0]
    assert mail.outbox == [] and member.history.count() == 1


def test_a_password_reset_link_and_not_for_a_deactivated_user(
    api_for, company, django_capture_on_commit_callbacks
):
    member = MembershipFactory(customer=company, user__email="forgot@acme.example")
    admin = api_for(staff(StaffRole.ADMIN))
    url = f"{API}/portal-users/{member.pk}/password-reset/"
    with django_capture_on_commit_callbacks(execute=True):
        assert post_json(admin, url).status_code == 200
    (message,) = mail.outbox
    assert message.to == ["forgot@acme.example"] and "/accounts/password/reset/key/" in message.body
    post_json(admin, f"{API}/portal-users/{member.pk}/deactivate/")
    with django_capture_on_commit_callbacks(execute=True):
        refused = post_json(admin, url)
    assert refused.status_code == 400 and "deactivated" in refused.json()["detail"][0]
    assert len(mail.outbox) == 1


def test_unlock_lets_a_locked_out_user_sign_in_again(api_for, company, tenant_client):
    member = MembershipFactory(customer=company, user__email="locked@acme.example")
    login = {"login": "locked@acme.example"}
    for _ in range(5):
        tenant_client.post("/accounts/login/", {**login, "password": "wrong-password"})
    locked = tenant_client.post("/accounts/login/", {**login, "password": PASSWORD})
    assert "_auth_user_id" not in tenant_client.session, locked.status_code
    admin = api_for(staff(StaffRole.ADMIN))
    response = post_json(admin, f"{API}/portal-users/{member.pk}/unlock/")
    assert response.status_code == 200 and response.json()["email"] == "locked@acme.example"
    assert (
        tenant_client.post("/accounts/login/", {**login, "password": PASSWORD}).status_code == 302
    )


def test_admin_removes_a_customer_user_with_history(api_for, company):
    member = MembershipFactory(customer=company, role="admin", user__email="gone@acme.example")
    admin = api_for(staff(StaffRole.ADMIN))
    response = admin.delete(f"{API}/portal-users/{member.pk}/")
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert not User.objects.filter(email="gone@acme.example").exists()
    removal = Membership.history.get(id=member.pk, history_type="-")
    assert removal.history_user == admin.user and removal.history_change_reason == "Removed"
    assert admin.delete(f"{API}/portal-users/{member.pk}/").status_code == 404


@pytest.mark.parametrize("role", [StaffRole.VIEWER, StaffRole.STAFF])
def test_only_admins_help_or_remove_customer_users(api_for, company, role):
    member = not_signed_up(company)
    client = api_for(staff(role))
    url = f"{API}/portal-users/{member.pk}"
    for action in ("resend-invitation", "password-reset", "unlock"):
        assert post_json(client, f"{url}/{action}/").status_code == 403
    assert client.delete(f"{url}/").status_code == 403
    assert Membership.objects.filter(pk=member.pk).exists()


def test_reactivating_beyond_the_seats_is_a_400_not_a_crash(api_for, company):
    from datetime import date

    from tests.factories import PlanFactory, subscribe

    subscribe(company, PlanFactory(), seats=1, start_date=date(2026, 1, 1))
    MembershipFactory(customer=company)
    sleeper = MembershipFactory(customer=company, user__is_active=False)
    admin = api_for(staff(StaffRole.ADMIN))
    response = post_json(admin, f"{API}/portal-users/{sleeper.pk}/reactivate/")
    assert response.status_code == 400 and "seat" in response.json()["detail"][0]


def test_a_customer_admin_removes_users_but_not_themselves_nor_another_admin(api_for, company):
    me = MembershipFactory(customer=company, role="admin")
    client = api_for(me.user)
    base = f"{API}/portal/companies/{company.pk}/users"
    other_admin = MembershipFactory(customer=company, role="admin")
    colleague = MembershipFactory(customer=company, role="full")
    assert client.delete(f"{base}/{me.pk}/").status_code == 403
    assert client.delete(f"{base}/{other_admin.pk}/").status_code == 403
    assert client.delete(f"{base}/{colleague.pk}/").status_code == 204
    assert Membership.history.get(id=colleague.pk, history_type="-").history_user == me.user
    assert set(Membership.objects.filter(customer=company)) == {me, other_admin}


def test_a_customer_admin_sends_a_password_reset_link(
    api_for, company, django_capture_on_commit_callbacks
):
    client = api_for(MembershipFactory(customer=company, role="admin").user)
    colleague = MembershipFactory(customer=company, user__email="colleague@acme.example")
    url = f"{API}/portal/companies/{company.pk}/users/{colleague.pk}/password-reset/"
    with django_capture_on_commit_callbacks(execute=True):
        assert post_json(client, url).status_code == 200
    assert [m.to for m in mail.outbox] == [["colleague@acme.example"]]
    full = api_for(MembershipFactory(customer=company, role="full").user)
    assert post_json(full, url).status_code == 403


def join_request(company, email: str) -> JoinRequest:
    return JoinRequest.objects.create(
        customer=company, email=email, first_name="Jo", last_name="Join"
    )


def test_a_customer_admin_lists_approves_and_declines_join_requests(
    api_for, company, django_capture_on_commit_callbacks
):
    client = api_for(MembershipFactory(customer=company, role="admin").user)
    jo = join_request(company, "jo@acme.example")
    max_ = join_request(company, "max@acme.example")
    join_request(CustomerFactory(name="Globex"), "someone@globex.example")
    base = f"{API}/portal/companies/{company.pk}/join-requests"
    listed = client.get(f"{base}/", {"status": "pending"}).json()["results"]
    assert {row["email"] for row in listed} == {"jo@acme.example", "max@acme.example"}
    with django_capture_on_commit_callbacks(execute=True):
        approved = post_json(client, f"{base}/{jo.pk}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == client.user.pk
    joined = Membership.objects.get(user__email="jo@acme.example")
    assert joined.customer == company and joined.role == "read_only"
    assert joined.history.get().history_user == client.user
    assert [m.to for m in mail.outbox] == [["jo@acme.example"]]
    again = post_json(client, f"{base}/{jo.pk}/decline/")
    assert again.status_code == 400 and "already decided" in again.json()["detail"][0]
    declined = post_json(client, f"{base}/{max_.pk}/decline/")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert not User.objects.filter(email="max@acme.example").exists()
    assert client.get(f"{base}/", {"status": "pending"}).json()["results"] == []


def test_approving_beyond_the_seats_is_refused_and_the_request_stays_pending(api_for, company):
    from datetime import date

    from tests.factories import PlanFactory, subscribe

    subscribe(company, PlanFactory(), seats=1, start_date=date(2026, 1, 1))
    client = api_for(MembershipFactory(customer=company, role="admin").user)
    jo = join_request(company, "jo@acme.example")
    url = f"{API}/portal/companies/{company.pk}/join-requests/{jo.pk}/approve/"
    response = post_json(client, url)
    assert response.status_code == 400 and "seat" in response.json()["detail"][0]
    jo.refresh_from_db()
    assert jo.status == "pending" and not User.objects.filter(email="jo@acme.example").exists()


def test_join_requests_are_for_those_who_manage_users(api_for, company):
    jo = join_request(company, "jo@acme.example")
    full = api_for(MembershipFactory(customer=company, role="full").user)
    base = f"{API}/portal/companies/{company.pk}/join-requests"
    assert full.get(f"{base}/").status_code == 403
    assert post_json(full, f"{base}/{jo.pk}/approve/").status_code == 403
    jo.refresh_from_db()
    assert jo.status == "pending"


def test_join_requests_list_query_count_is_flat(api_for, company, django_assert_max_num_queries):
    client = api_for(MembershipFactory(customer=company, role="admin").user)
    url = f"{API}/portal/companies/{company.pk}/join-requests/"
    for n in range(2):
        join_request(company, f"early{n}@acme.example")
    client.get(url)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    for n in range(20):
        join_request(company, f"late{n}@acme.example")
    with django_assert_max_num_queries(len(two)):
        assert len(client.get(url).json()["results"]) == 22
