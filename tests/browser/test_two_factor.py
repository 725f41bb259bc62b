"""Two-factor authentication end to end in Chromium: under the owner's policy a staff user is
sent to enrolment right after signing in, sets up an authenticator app (the code computed
here, RFC 6238, from the secret the page shows), sees recovery codes, then signs in with a
fresh code and once with a recovery code. A portal user under their company's requirement
is sent to the same enrolment page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import StaffRole
from accounts.services import security_policy_update
from portal.security import company_two_factor_set
from tests.factories import CustomerFactory, MembershipFactory, UserFactory

from .conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SETUP = "/two-factor/setup/"


def totp(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HMAC-SHA1, 30-second steps), written out here rather than borrowed."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // step))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def test_totp_matches_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits).
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59, digits=8) == "94287082"


def fresh_code(secret: str, used: set[str]) -> str:
    """A code not used yet (allauth refuses a replay): the current step's, else the next
    step's (MFA_TOTP_TOLERANCE accepts one step of drift), so no test waits for a new step."""
    for offset in (0, 30, -30):
        code = totp(secret, at=time.time() + offset)
        if code not in used:
            used.add(code)
            return code
    raise AssertionError("three codes used in one step")


def wrong_code(secret: str) -> str:
    """A code that none of the accepted steps has."""
    accepted = {totp(secret, at=time.time() + offset) for offset in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


@pytest.fixture(scope="module")
def people(browser_tenant, django_db_blocker):
    """Committed for the server process: a staff user under the owner's policy (on for this
    module only: the browser tenant is shared) and a portal user under their company's."""
    with django_db_blocker.unblock():
        with schema_context(browser_tenant.schema_name):
            staff = UserFactory(email="enrol@browser.example", role=StaffRole.STAFF)
            keyholder = UserFactory(email="passkey@browser.example", role=StaffRole.ADMIN)
            company = CustomerFactory(name="Kestrel Couriers")
            rider = MembershipFactory(
                customer=company, role="full", user__email="rider@kestrel.example"
            )
            company_two_factor_set(company=company, required=True, actor=None)
            security_policy_update(require_two_factor_for_staff=True, actor=None, reason="test")
        connection.set_schema_to_public()
        yield {"staff": staff, "keyholder": keyholder, "company": company, "rider": rider.user}
        with schema_context(browser_tenant.schema_name):
            security_policy_update(require_two_factor_for_staff=False, actor=None)
        connection.set_schema_to_public()


def sign_out(page, tenant_url: str) -> None:
    page.goto(f"{tenant_url}/accounts/logout/")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_staff_enrol_totp_then_sign_in_with_a_code_and_a_recovery_code(page, tenant_url, people):
    user = people["staff"]
    sign_in(page, tenant_url, user.email)
    expect(page).to_have_url(f"{tenant_url}{SETUP}")
    expect(page.get_by_text("requires two-factor authentication for its staff")).to_be_visible()
    # Every other page sends them back here.
    page.goto(f"{tenant_url}/customers/")
    expect(page).to_have_url(f"{tenant_url}{SETUP}")

    page.get_by_role("link", name="Use an authenticator app").click()
    # allauth asks for the password again before adding a factor.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    used: set[str] = set()
    page.locator("input[name=code]").fill(fresh_code(secret, used))
    page.get_by_role("button", name="Activate").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9a-z]{8}", c) for c in codes), codes
    page.goto(f"{tenant_url}/customers/")
    expect(page).to_have_url(f"{tenant_url}/customers/")  # enrolled: everything opens

    sign_out(page, tenant_url)
    sign_in(page, tenant_url, user.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(fresh_code(secret, used))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{tenant_url}/")

    sign_out(page, tenant_url)
    sign_in(page, tenant_url, user.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(codes[0])
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{tenant_url}/")

    # A wrong code does not get anyone in.
    sign_out(page, tenant_url)
    sign_in(page, tenant_url, user.email)
    page.locator("input[name=code]").fill(wrong_code(secret))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.get_by_text("Incorrect code")).to_be_visible()


def test_portal_user_is_sent_to_enrolment_under_the_company_requirement(page, tenant_url, people):
    company = people["company"]
    sign_in(page, tenant_url, "rider@kestrel.example")
    expect(page).to_have_url(f"{tenant_url}{SETUP}")
    expect(
        page.get_by_text("Kestrel Couriers requires two-factor authentication for its users.")
    ).to_be_visible()
    page.goto(f"{tenant_url}/portal/c/{company.pk}/")
    expect(page).to_have_url(f"{tenant_url}{SETUP}")
    page.get_by_role("link", name="Add a passkey or security key").click()
    expect(page).to_have_url(re.compile(r"/accounts/(reauthenticate|2fa/webauthn/add)/"))


def test_a_passkey_enrols_and_then_signs_in_without_a_password(page, tenant_url, people):
    """Chromium's virtual authenticator (CTAP2, built in, resident keys, user verification)
    stands in for a phone or a security key."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]

    user = people["keyholder"]
    sign_in(page, tenant_url, user.email)
    expect(page).to_have_url(f"{tenant_url}{SETUP}")
    page.get_by_role("link", name="Add a passkey or security key").click()
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/webauthn/add/"))
    page.locator("input[name=name]").fill("Virtual key")
    page.locator("input[name=passwordless]").check()
    page.locator("#mfa_webauthn_add").click()
    # Saved: allauth shows the new recovery codes (or the list of keys), not the form.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/(recovery-codes|webauthn)/$"))
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    assert credentials["credentials"][0]["isResidentCredential"]
    page.goto(f"{tenant_url}/customers/")
    expect(page).to_have_url(f"{tenant_url}/customers/")  # the passkey is a second factor

    sign_out(page, tenant_url)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(f"{tenant_url}/")
    page.goto(f"{tenant_url}/accounts/2fa/webauthn/")
    expect(page.get_by_text("Virtual key")).to_be_visible()
