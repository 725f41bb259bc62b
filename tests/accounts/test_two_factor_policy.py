"""Required two-factor authentication: the owner's policy for staff, a customer admin's for
their company's users, and the middleware that keeps a person without a second factor on the
enrolment pages (sign-out stays open, the API's tokens are unaffected)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client

from accounts.models import SecurityPolicy, StaffRole
from accounts.services import security_policy_update
from portal.models import CompanyProfile
from tests.factories import PASSWORD, CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SETUP = "/two-factor/setup/"


@pytest.fixture
def owner(in_tenant):
    return UserFactory(role=StaffRole.OWNER)


@pytest.fixture
def required(owner):
    return security_policy_update(
        require_two_factor_for_staff=True, actor=owner, reason="security review"
    )


def sign_in(tenant, user) -> Client:
    """A real sign-in through allauth's page (the requirement is worked out there)."""
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    connection.set_tenant(tenant)
    return client


def enrol_totp(user) -> None:
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)


def test_owner_changes_the_policy_with_history(in_tenant, owner):
    policy = security_policy_update(
        require_two_factor_for_staff=True, actor=owner, reason="security review"
    )
    assert SecurityPolicy.current().require_two_factor_for_staff
    record = policy.history.first()
    assert record.history_user == owner
    assert record.history_change_reason == "Two-factor required for staff: security review"
    # Saving the same again writes nothing.
    security_policy_update(require_two_factor_for_staff=True, actor=owner)
    assert policy.history.count() == 1


@pytest.mark.parametrize("role", [StaffRole.ADMIN, StaffRole.STAFF, StaffRole.VIEWER])
def test_only_the_owner_changes_the_policy(in_tenant, role):
    with pytest.raises(PermissionDenied):
        security_policy_update(
            require_two_factor_for_staff=True, actor=UserFactory(role=role), reason="x"
        )
    assert not SecurityPolicy.current().require_two_factor_for_staff


def test_security_page_is_the_owners(client_as, tenant):
    owner, admin = client_as(StaffRole.OWNER), client_as(StaffRole.ADMIN)
    page = owner.get("/settings/security/")
    assert (
        page.status_code == 200 and "Two-factor authentication for staff" in page.content.decode()
    )
    assert "/settings/security/" in owner.get("/settings/").content.decode()
    response = owner.post(
        "/settings/security/",
        {"require_two_factor_for_staff": "on", "reason": "audit"},
    )
    assert response.status_code == 302
    connection.set_tenant(tenant)
    assert SecurityPolicy.current().require_two_factor_for_staff
    assert admin.get("/settings/security/").status_code == 403
    assert admin.post("/settings/security/", {"reason": "x"}).status_code == 403
    connection.set_tenant(tenant)
    assert SecurityPolicy.current().require_two_factor_for_staff


def test_staff_without_a_second_factor_are_sent_to_enrolment(tenant, required):
    staff = UserFactory(role=StaffRole.STAFF)
    client = sign_in(tenant, staff)
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == SETUP
    assert client.get("/customers/")["Location"] == SETUP
    page = client.get(SETUP)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Alpha Services requires two-factor authentication for its staff." in text
    assert "/accounts/2fa/totp/activate/" in text and "/accounts/2fa/webauthn/add/" in text
    # The enrolment pages stay open (allauth asks for the password again first).
    activate = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert activate.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    assert activate.status_code == 200
    confirmed = client.post(activate.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert confirmed.redirect_chain[-1][0] == "/accounts/2fa/totp/activate/"
    assert "Authenticator secret" in confirmed.content.decode()
    assert client.get("/accounts/2fa/webauthn/add/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
    # htmx requests are sent there too; session requests to the API are a JSON 403.
    swap = client.get("/customers/", HTTP_HX_REQUEST="true")
    assert swap.status_code == 204 and swap["HX-Redirect"] == SETUP
    api = client.get("/api/v1/customers/")
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_once_enrolled_every_page_opens(tenant, required):
    staff = UserFactory(role=StaffRole.STAFF)
    client = sign_in(tenant, staff)
    assert client.get("/")["Location"] == SETUP
    enrol_totp(staff)
    assert client.get("/").status_code == 200
    assert client.get("/customers/").status_code == 200


def test_without_a_requirement_nothing_changes(tenant, owner):
    staff = UserFactory(role=StaffRole.STAFF)
    client = sign_in(tenant, staff)
    assert client.get("/").status_code == 200
    setup = client.get(SETUP)
    assert "not required for your account" in setup.content.decode()


def test_api_tokens_are_unaffected(api_as, tenant, required):
    client = api_as(StaffRole.STAFF)
    assert client.get("/api/v1/customers/").status_code == 200


def test_a_required_last_factor_cannot_be_removed_by_its_owner(tenant, owner):
    staff = UserFactory(role=StaffRole.STAFF)
    enrol_totp(staff)
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(staff)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    security_policy_update(require_two_factor_for_staff=True, actor=owner)
    refused = client.post("/accounts/2fa/totp/deactivate/", {})
    assert refused.status_code == 200
    assert "You cannot deactivate two-factor authentication." in refused.content.decode()
    connection.set_tenant(tenant)
    assert Authenticator.objects.filter(user=staff, type="totp").exists()
    # Without the requirement it is theirs to remove.
    security_policy_update(require_two_factor_for_staff=False, actor=owner)
    assert client.post("/accounts/2fa/totp/deactivate/", {}).status_code == 302
    connection.set_tenant(tenant)
    assert not Authenticator.objects.filter(user=staff, type="totp").exists()


@pytest.fixture
def company(in_tenant):
    return CustomerFactory(name="Quokka Holdings")


def test_customer_admin_requires_it_for_the_company(tenant, company, portal_client):
    admin = portal_client(company, role="admin")
    MembershipFactory(customer=company, role="full")
    page = admin.get(f"/portal/c/{company.pk}/settings/").content.decode()
    assert "Require two-factor authentication for our users" in page
    assert "2 of your active users have no second factor yet." in page
    too_long = admin.post(
        f"/portal/c/{company.pk}/settings/",
        {"security-require_two_factor": "on", "security-reason": "x" * 61, "security-submit": "1"},
    )
    assert too_long.status_code == 200 and "at most 60 characters" in too_long.content.decode()
    connection.set_tenant(tenant)
    assert not CompanyProfile.objects.filter(customer=company, require_two_factor=True).exists()
    response = admin.post(
        f"/portal/c/{company.pk}/settings/",
        {
            "security-require_two_factor": "on",
            "security-reason": "Our insurer asks for it",
            "security-submit": "1",
        },
    )
    assert response.status_code == 302
    connection.set_tenant(tenant)
    profile = CompanyProfile.objects.get(customer=company)
    assert profile.require_two_factor
    record = profile.history.first()
    assert record.history_user == admin.user
    assert record.history_change_reason == "Two-factor required for users: Our insurer asks for it"
    page = admin.get(f"/portal/c/{company.pk}/settings/").content.decode()
    assert "they set one up at their next sign-in" in page

    user = MembershipFactory(customer=company, role="full").user
    client = sign_in(tenant, user)
    assert client.get("/portal/")["Location"] == SETUP
    text = client.get(SETUP).content.decode()
    assert "Quokka Holdings requires two-factor authentication for its users." in text
    # Another company's users are not affected.
    other = MembershipFactory(customer=CustomerFactory(name="Wombat Ltd"), role="full").user
    other_client = sign_in(tenant, other)
    assert other_client.get("/portal/").status_code == 302
    assert other_client.get("/portal/")["Location"] != SETUP


def test_only_customer_admins_change_the_company_rule(tenant, company, portal_client):
    full = portal_client(company, role="full")  # may change the other settings
    page = full.get(f"/portal/c/{company.pk}/settings/")
    assert page.status_code == 200
    assert "Require two-factor authentication" not in page.content.decode()
    response = full.post(
        f"/portal/c/{company.pk}/settings/",
        {"security-require_two_factor": "on", "security-submit": "1"},
    )
    assert response.status_code == 403
    connection.set_tenant(tenant)
    assert not CompanyProfile.objects.filter(customer=company, require_two_factor=True).exists()


@pytest.mark.parametrize(
    "path",
    ["/accounts/2fa/", "/accounts/2fa/webauthn/", "/accounts/2fa/webauthn/add/"],
)
def test_two_factor_pages_sit_in_each_persons_own_shell(client_as, company, portal_client, path):
    """Staff see them in the console (its sidebar), customer users in the portal (its top
    bar); passkeys are offered to both."""
    staff, customer = client_as(StaffRole.STAFF), portal_client(company, role="read_only")
    for client in (staff, customer):  # adding a key asks for the password first
        assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    staff_page = staff.get(path).content.decode()
    assert 'id="sidebar"' in staff_page and "navbar-portal" not in staff_page
    portal_page = customer.get(path).content.decode()
    assert "navbar-portal" in portal_page and 'id="sidebar"' not in portal_page
    if path.endswith("/add/"):
        for page in (staff_page, portal_page):
            assert "mfa_webauthn_add" in page and "/static/mfa/js/webauthn.js" in page
