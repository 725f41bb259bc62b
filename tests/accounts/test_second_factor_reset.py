"""Resetting a lost second factor: the owner for staff (team), a customer admin for their
company's users (portal), staff who manage records for any customer's users (console). The
factors are gone, the user's history names who and why, the user is emailed after commit,
and under a requirement they enrol again at their next sign-in. Nobody else may do it, and
another company's user is not found."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client

from accounts.models import StaffRole
from accounts.services import second_factor_reset, security_policy_update
from portal.security import company_two_factor_set
from tests.factories import PASSWORD, CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def enrol(user) -> None:
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)


def factors(user) -> int:
    return Authenticator.objects.filter(user=user).count()


@pytest.fixture
def staff(in_tenant):
    user = UserFactory(role=StaffRole.STAFF, first_name="Sam", email="sam@alpha.example")
    enrol(user)
    return user


def test_owner_resets_a_staff_members_second_factor(
    tenant, client_as, staff, django_capture_on_commit_callbacks
):
    owner = client_as(StaffRole.OWNER)
    team = owner.get("/settings/team/").content.decode()
    assert f"/settings/team/{staff.pk}/two-factor/" in team
    page = owner.get(f"/settings/team/{staff.pk}/two-factor/")
    assert page.status_code == 200 and "Authenticator app" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            f"/settings/team/{staff.pk}/two-factor/", {"reason": "lost phone, confirmed by call"}
        )
    assert response.status_code == 302
    connection.set_tenant(tenant)
    assert factors(staff) == 0
    record = staff.history.first()
    assert record.history_user == owner.user
    assert record.history_change_reason == "Two-factor reset: lost phone, confirmed by call"
    (message,) = mail.outbox
    assert message.to == ["sam@alpha.example"]
    assert "two-factor authentication was reset" in message.subject
    assert "lost phone, confirmed by call" in message.body
    assert owner.user.full_name in message.body

    # Under the owner's policy they set up a new factor right after signing in.
    security_policy_update(require_two_factor_for_staff=True, actor=owner.user)
    client = Client(HTTP_HOST="alpha.localhost")
    signed_in = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert signed_in["Location"] == "/"  # no second-factor step: there is none any more
    assert client.get("/")["Location"] == "/two-factor/setup/"


def test_a_reason_is_required_and_nothing_changes_without_one(tenant, client_as, staff):
    owner = client_as(StaffRole.OWNER)
    before = staff.history.count()
    response = owner.post(f"/settings/team/{staff.pk}/two-factor/", {"reason": ""})
    assert response.status_code == 200
    connection.set_tenant(tenant)
    assert factors(staff) == 2 and staff.history.count() == before and not mail.outbox


def test_nothing_to_reset_is_a_message(tenant, client_as):
    owner = client_as(StaffRole.OWNER)
    member = UserFactory(role=StaffRole.VIEWER)
    before = member.history.count()
    response = owner.post(f"/settings/team/{member.pk}/two-factor/", {"reason": "lost"})
    assert response.status_code == 200
    assert "has no second factor set up" in response.content.decode()
    connection.set_tenant(tenant)
    assert member.history.count() == before and not mail.outbox


@pytest.mark.parametrize("role", [StaffRole.ADMIN, StaffRole.STAFF, StaffRole.VIEWER])
def test_only_the_owner_resets_staff(tenant, client_as, staff, role):
    client = client_as(role)
    assert client.post(f"/settings/team/{staff.pk}/two-factor/", {"reason": "x"}).status_code == 403
    connection.set_tenant(tenant)
    assert factors(staff) == 2


def test_nobody_resets_their_own(in_tenant):
    owner = UserFactory(role=StaffRole.OWNER)
    enrol(owner)
    with pytest.raises(PermissionDenied):
        second_factor_reset(user=owner, actor=owner, reason="x", base_url="http://x")
    assert factors(owner) == 2


@pytest.fixture
def company(in_tenant):
    return CustomerFactory(name="Quokka Holdings")


@pytest.fixture
def colleague(company):
    user = MembershipFactory(customer=company, role="full", user__email="kim@quokka.example").user
    enrol(user)
    return user


def test_customer_admin_resets_a_colleagues_second_factor(
    tenant, company, colleague, portal_client, django_capture_on_commit_callbacks
):
    admin = portal_client(company, role="admin")
    membership = colleague.membership
    url = f"/portal/c/{company.pk}/users/{membership.pk}/"
    assert "Reset two-factor authentication" in admin.get(url).content.decode()
    company_two_factor_set(company=company, required=True, actor=admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"action": "reset_two_factor", "reason": "new phone"})
    assert response.status_code == 302
    connection.set_tenant(tenant)
    assert factors(colleague) == 0
    record = colleague.history.first()
    assert record.history_user == admin.user
    assert record.history_change_reason == "Two-factor reset: new phone"
    (message,) = mail.outbox
    assert message.to == ["kim@quokka.example"] and "new phone" in message.body
    # At the next sign-in: straight to enrolment, under the company's requirement.
    client = Client(HTTP_HOST="alpha.localhost")
    client.post("/accounts/login/", {"login": colleague.email, "password": PASSWORD})
    assert client.get("/portal/")["Location"] == "/two-factor/setup/"


def test_customer_admin_cannot_reach_another_companys_user(
    tenant, company, portal_client, django_capture_on_commit_callbacks
):
    other_company = CustomerFactory(name="Wombat Ltd")
    stranger = MembershipFactory(customer=other_company, role="full").user
    enrol(stranger)
    admin = portal_client(company, role="admin")
    mid = stranger.membership.pk
    data = {"action": "reset_two_factor", "reason": "x"}
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/portal/c/{company.pk}/users/{mid}/", data).status_code == 404
        assert admin.post(f"/portal/c/{other_company.pk}/users/{mid}/", data).status_code == 404
    connection.set_tenant(tenant)
    assert factors(stranger) == 2 and not mail.outbox


def test_portal_users_without_manage_users_cannot_reset(tenant, company, colleague, portal_client):
    full = portal_client(company, role="full")
    url = f"/portal/c/{company.pk}/users/{colleague.membership.pk}/"
    assert full.post(url, {"action": "reset_two_factor", "reason": "x"}).status_code == 403
    connection.set_tenant(tenant)
    assert factors(colleague) == 2


def test_console_admin_resets_a_customer_users_second_factor(
    tenant, company, colleague, client_as, django_capture_on_commit_callbacks
):
    admin = client_as(StaffRole.ADMIN)
    tab = admin.get(f"/customers/{company.pk}/users/").content.decode()
    assert "Reset two-factor" in tab
    url = f"/customers/{company.pk}/users/{colleague.membership.pk}/action/"
    staff = client_as(StaffRole.STAFF)
    assert staff.post(url, {"action": "reset_two_factor", "reason": "x"}).status_code == 403
    connection.set_tenant(tenant)
    assert factors(colleague) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"action": "reset_two_factor", "reason": "called support"})
    assert response.status_code == 302
    connection.set_tenant(tenant)
    assert factors(colleague) == 0
    assert colleague.history.first().history_user == admin.user
    assert len(mail.outbox) == 1
