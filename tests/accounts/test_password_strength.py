"""Weak passwords are refused with the reason, through every form that sets one: allauth's
set-password-from-key page (invitations and resets), the change-password page and the
set-password page. The candidates are those of issue #16's probe: common passwords with the
usual capital, digit and symbol, the product's, the workspace's and the company's names with
digits, and the person's own email and name."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection

from accounts.models import StaffRole, User
from accounts.password_validation import StrengthValidator
from accounts.services import staff_invite
from tests.factories import PASSWORD, CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# The person is Nina New <nina.new@alpha.example> in the "Alpha Services" workspace (slug
# alpha); as a customer user she works for "Quokka Holdings".
WEAK = [
    "Passw0rd!",
    "Password1!",
    "P@ssw0rd2026",
    "Welcome123!",
    "Welcome2026!",
    "Summer2026",
    "Winter2026!",
    "Admin123!",
    "Administrator1",
    "Qwerty123!",
    "Letmein2026!",
    "Iloveyou1!",
    "Monkey123!",
    "Football1!",
    "Abc12345!",
    "Changeme123!",
    "Trustno1!",
    "Secret123!",
    "Company123!",
    "Clientele2026",
    "Clientele123!",
    "Clientele!2026",
    "AlphaServices2026!",
    "Alpha2026!",
    "Alpha-Services-1",
    "nina.new2026",
    "NinaNew2026!",
]
COMPANY_WEAK = ["QuokkaHoldings2026!", "Quokka123!", "Quokka-Holdings-1"]
STRONG = [
    "Harbour-Lights-77",
    "velvet-otter-juggles-quinoa",
    "Tidal mango orbit 39",
    "correct horse battery staple",
]
# What the page must say for a few of them (one reason each is enough to be useful).
REASONS = {
    "Passw0rd!": "This is similar to a commonly used password.",
    "Clientele2026": "Avoid the name of this product (Clientele).",
    "AlphaServices2026!": "Avoid the name of your company or this workspace.",
    "NinaNew2026!": "Avoid your own name.",
    "nina.new2026": "Avoid your email address or parts of it.",
    "QuokkaHoldings2026!": "Avoid the name of your company or this workspace.",
}
REFUSED = "This password is too easy to guess."


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Twenty-seven tries in a row are this test's point, not an attack to slow down."""
    settings.ACCOUNT_RATE_LIMITS = False


def page_text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


@pytest.fixture
def nina(in_tenant):
    return UserFactory(
        email="nina.new@alpha.example", first_name="Nina", last_name="New", role=StaffRole.STAFF
    )


@pytest.fixture
def nina_customer(in_tenant):
    company = CustomerFactory(name="Quokka Holdings")
    membership = MembershipFactory(
        customer=company,
        role="admin",
        user__email="nina.new@quokka.example",
        user__first_name="Nina",
        user__last_name="New",
    )
    return membership.user


def assert_refused(response, password: str) -> None:
    text = page_text(response)
    assert response.status_code == 200, (password, response.status_code)
    assert REFUSED in text, password
    if password in REASONS:
        assert REASONS[password] in text, (password, REASONS[password])


@pytest.mark.parametrize("password", WEAK + COMPANY_WEAK)
def test_the_validator_refuses_each_weak_candidate_with_a_reason(
    in_tenant, nina_customer, password
):
    with pytest.raises(Exception) as refused:
        StrengthValidator().validate(password, nina_customer)
    messages = refused.value.messages
    assert messages[0] == REFUSED and len(messages) > 1  # the reason, not only the verdict
    if password in REASONS:
        assert REASONS[password] in messages


@pytest.mark.parametrize("password", STRONG)
def test_strong_passphrases_pass(in_tenant, nina_customer, password):
    StrengthValidator().validate(password, nina_customer)


def test_change_password_page_refuses_every_weak_candidate(nina, tenant_client):
    tenant_client.force_login(nina)
    for password in WEAK:
        response = tenant_client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": password, "password2": password},
        )
        assert_refused(response, password)
    connection.set_tenant(response.wsgi_request.tenant)
    assert User.objects.get(pk=nina.pk).check_password(PASSWORD)

    strong = STRONG[0]
    response = tenant_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": strong, "password2": strong},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=nina.pk).check_password(strong)


def test_customer_user_cannot_use_the_company_name(nina_customer, tenant_client):
    tenant_client.force_login(nina_customer)
    for password in COMPANY_WEAK:
        response = tenant_client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": password, "password2": password},
        )
        assert_refused(response, password)


def test_set_password_page_refuses_every_weak_candidate(nina, tenant_client):
    nina.set_unusable_password()
    nina.save()
    tenant_client.force_login(nina)
    for password in WEAK:
        response = tenant_client.post(
            "/accounts/password/set/", {"password1": password, "password2": password}
        )
        assert_refused(response, password)
    connection.set_tenant(response.wsgi_request.tenant)
    assert not User.objects.get(pk=nina.pk).has_usable_password()


@pytest.fixture
def invitation(in_tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = staff_invite(
            email="nina.new@alpha.example",
            first_name="Nina",
            last_name="New",
            role=StaffRole.STAFF,
            base_url="http://alpha.localhost:8000",
            workspace_name="Alpha Services",
        )
    (message,) = mail.outbox
    link = re.search(r"http://alpha\.localhost:8000(\S+)", message.body.split("link:")[1])
    return user, link.group(1)


def test_reset_from_key_page_refuses_every_weak_candidate_and_takes_a_strong_one(
    invitation, tenant_client
):
    user, path = invitation
    response = tenant_client.get(path)
    assert response.status_code == 302  # allauth moves the key out of the URL
    form_url = response["Location"]
    for password in WEAK:
        response = tenant_client.post(form_url, {"password1": password, "password2": password})
        assert_refused(response, password)
    connection.set_tenant(response.wsgi_request.tenant)
    assert not User.objects.get(pk=user.pk).has_usable_password()

    strong = STRONG[1]
    response = tenant_client.post(form_url, {"password1": strong, "password2": strong})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(strong)


def test_the_rule_is_explained_next_to_the_password(nina, tenant_client):
    tenant_client.force_login(nina)
    text = page_text(tenant_client.get("/accounts/password/change/"))
    assert "hard to guess" in text and "the names of your company, this workspace" in text
