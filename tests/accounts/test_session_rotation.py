"""A signed-in person's session gets a new key when what they may do changes (role, limits,
portal role or permissions, admin flags), so a copy of the old key (a shared computer, a log,
another device) no longer signs anyone in; they themselves stay signed in. A deactivated
person's sessions end at once and for good."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.db import connection
from django.test import Client

from accounts.models import StaffRole, User
from accounts.services import staff_update
from accounts.sessions import FINGERPRINT_KEY
from portal.services import customer_user_change_role
from tests.conftest import host_of
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    MembershipFactory,
    PermissionSetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CONSOLE = "/customers/"
PORTAL = "/portal/"


def sign_in(tenant, user) -> Client:
    """Through the sign-in page, as a person does."""
    client = Client(HTTP_HOST=host_of(tenant))
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    client.user = user
    return client


@pytest.fixture
def staff_client(tenant, make_user):
    def make(role: str) -> Client:
        return sign_in(tenant, make_user(role=role))

    return make


@pytest.fixture
def customer_client(tenant):
    def make(company, role: str, **fields) -> Client:
        connection.set_tenant(tenant)
        membership = MembershipFactory(customer=company, role=role, **fields)
        client = sign_in(tenant, membership.user)
        client.membership = membership
        return client

    return make


def session_key(client: Client) -> str:
    return client.cookies["sessionid"].value


def signed_in(client: Client, page: str) -> bool:
    response = client.get(page)
    if response.status_code == 302:
        return "/accounts/login/" not in response["Location"]
    return response.status_code == 200


def replay(tenant, key: str) -> Client:
    """Someone else's browser carrying a copy of the session cookie."""
    other = Client(HTTP_HOST=host_of(tenant))
    other.cookies["sessionid"] = key
    return other


def assert_rotated(tenant, client: Client, before: str, page: str) -> None:
    assert signed_in(client, page), "the person themselves stays signed in"
    after = session_key(client)
    assert after != before, "privileges changed, yet the session kept its key"
    assert not signed_in(replay(tenant, before), page), "the old key still signs them in"
    assert signed_in(client, page), "the new key keeps working"
    assert session_key(client) == after


def test_unchanged_privileges_keep_the_session_key(tenant, staff_client):
    client = staff_client(StaffRole.STAFF)
    assert signed_in(client, CONSOLE)
    key = session_key(client)
    for _ in range(3):
        assert signed_in(client, CONSOLE)
    assert session_key(client) == key
    assert signed_in(replay(tenant, key), CONSOLE)


def test_a_role_change_gives_the_session_a_new_key(tenant, staff_client):
    client = staff_client(StaffRole.STAFF)
    assert signed_in(client, CONSOLE)
    before = session_key(client)
    staff_update(member=client.user, role=StaffRole.VIEWER, is_active=True, actor=None)
    assert_rotated(tenant, client, before, CONSOLE)
    assert User.objects.get(pk=client.user.pk).role == StaffRole.VIEWER


def test_a_customer_access_limit_gives_the_session_a_new_key(tenant, staff_client, make_user):
    from customers.access import staff_customer_access_set

    client = staff_client(StaffRole.STAFF)
    assert signed_in(client, CONSOLE)
    before = session_key(client)
    owner = make_user(role=StaffRole.OWNER)
    staff_customer_access_set(
        member=client.user, access="assigned", teams=[], customers=[CustomerFactory()], actor=owner
    )
    assert_rotated(tenant, client, before, CONSOLE)


def test_admin_flags_give_the_session_a_new_key(tenant, staff_client):
    client = staff_client(StaffRole.STAFF)
    assert signed_in(client, CONSOLE)
    before = session_key(client)
    User.objects.filter(pk=client.user.pk).update(is_superuser=True)
    assert_rotated(tenant, client, before, CONSOLE)


def test_a_portal_role_change_gives_the_session_a_new_key(
    tenant, in_tenant, customer_client, make_user
):
    company = CustomerFactory()
    client = customer_client(company, role="read_only")
    assert signed_in(client, PORTAL)
    before = session_key(client)
    customer_user_change_role(
        membership=client.membership, role="full", actor=make_user(role=StaffRole.ADMIN)
    )
    assert_rotated(tenant, client, before, PORTAL)


def test_a_changed_permission_set_gives_the_session_a_new_key(tenant, in_tenant, customer_client):
    from portal.services import permission_set_save

    company = CustomerFactory()
    permission_set = PermissionSetFactory(customer=company, permissions=["view_overview"])
    client = customer_client(company, role="custom", permission_set=permission_set)
    assert signed_in(client, PORTAL)
    before = session_key(client)
    permission_set_save(
        company=company,
        permission_set=permission_set,
        name=permission_set.name,
        permissions=["view_overview", "view_assets"],
        actor=None,
    )
    assert_rotated(tenant, client, before, PORTAL)


def test_a_deactivated_persons_sessions_end_at_once_and_for_good(tenant, staff_client):
    client = staff_client(StaffRole.STAFF)
    assert signed_in(client, CONSOLE)
    key = session_key(client)
    staff_update(member=client.user, role=StaffRole.STAFF, is_active=False, actor=None)
    response = client.get(CONSOLE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    staff_update(member=client.user, role=StaffRole.STAFF, is_active=True, actor=None)
    for browser in (client, replay(tenant, key)):
        assert not signed_in(browser, CONSOLE), "reactivating brought an old session back"


def test_completing_the_second_factor_starts_a_new_session_key(tenant, make_user):
    """allauth signs the person in only after the second factor, with Django's ``login``,
    which cycles the key: the session that knew the password is not the signed-in one."""
    user = make_user(role=StaffRole.STAFF)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client(HTTP_HOST=host_of(tenant))
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate" in response["Location"]
    during = session_key(client)
    assert not signed_in(replay(tenant, during), CONSOLE)
    counter = int(__import__("time").time()) // 30
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302, response.content[:500]
    assert signed_in(client, CONSOLE)
    assert session_key(client) != during
    assert not signed_in(replay(tenant, during), CONSOLE)


def test_a_new_persons_first_request_keeps_the_key_login_gave(tenant):
    """Signing in already gave a new key; the first page does not cycle it again."""
    connection.set_tenant(tenant)
    user = UserFactory(role=StaffRole.STAFF)
    client = Client(HTTP_HOST=host_of(tenant))
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert FINGERPRINT_KEY in client.session, "signing in remembers the privileges"
    key = session_key(client)
    assert signed_in(client, CONSOLE)
    assert session_key(client) == key
