"""A token made at one tenant does nothing at another: every kind the product signs.

Every schema numbers its rows from 1, so tenant B's token names a record that also exists at
tenant A. For each kind registered in ``core.tokens.TOKEN_KINDS`` a scenario mints one at B
through the product's own path (the email it sends, the cookie it sets), for records whose
primary keys — and everything else a token could hash — also exist at A, then uses it at A's
host: nothing happens there and the page is the one a forged token gets. The same token then
works at B, so each scenario can fail. A kind without a scenario fails, and so does code that
signs anything outside ``core/tokens.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client

from accounts.models import User
from core import tokens
from portal.models import CompanyDomain, CompanyProfile, JoinRequest
from tests.conftest import host_of
from tests.factories import PASSWORD, CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Quartz-meadow-lantern-9281"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class World:
    """Tenant A (where the token is tried) and B (where it was made)."""

    a: object
    b: object
    capture: Callable
    pk: dict = field(default_factory=dict)

    def url(self, tenant) -> str:
        return f"http://{host_of(tenant)}"

    def client(self, tenant) -> Client:
        return Client(HTTP_HOST=host_of(tenant))

    def link(self, tenant) -> str:
        """The path of the last email's link to ``tenant``'s host."""
        body = mail.outbox[-1].body
        return re.search(rf"{re.escape(self.url(tenant))}(/\S+)", body).group(1)


# --- Records with the same primary key at both tenants ------------------------------------


def _sequence(cursor, schema: str, model) -> tuple[str, int]:
    table = f'"{schema}"."{model._meta.db_table}"'
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT COALESCE(MAX({model._meta.pk.column}), 0) FROM {table}")
    (top,) = cursor.fetchone()
    cursor.execute(f"SELECT last_value FROM {sequence}")
    return sequence, max(top, cursor.fetchone()[0])


def align(world: World, *models) -> None:
    """The next row B numbers is free at A too."""
    with connection.cursor() as cursor:
        for model in models:
            found = [_sequence(cursor, t.schema_name, model) for t in (world.a, world.b)]
            top = max(value for _, value in found) + 1
            for sequence, _ in found:
                cursor.execute("SELECT setval(%s, %s)", [sequence, top])


def twin(world: World, instance, **overrides):
    """A copy of B's ``instance`` at A: same primary key, same values."""
    model = type(instance)
    values = {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields}
    values.update(overrides)
    connection.set_tenant(world.a)
    copy = model(**values)
    model._base_manager.bulk_create([copy])
    with connection.cursor() as cursor:
        sequence, top = _sequence(cursor, world.a.schema_name, model)
        cursor.execute("SELECT setval(%s, %s)", [sequence, top])
    connection.set_tenant(world.b)
    return copy


def twin_user(world: World, user: User) -> None:
    """B's user and email addresses, identical at A: password hash, last sign-in, addresses
    (everything a reset key hashes), so only the tenant tells them apart."""
    connection.set_tenant(world.b)
    user = User.objects.get(pk=user.pk)
    addresses = list(EmailAddress.objects.filter(user_id=user.pk))
    twin(world, user)
    for address in addresses:
        twin(world, address)
    world.pk["user"] = user.pk


# --- How each kind is used, and what it does ----------------------------------------------


def use_reset_link(client: Client, path: str, token: str):
    response = client.get(path)
    if response.status_code == 302 and "set-password" in response["Location"]:
        data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        response = client.post(response["Location"], data)
    return response


def password_changed(world: World, tenant, response) -> bool:
    connection.set_tenant(tenant)
    return User.objects.get(pk=world.pk["user"]).check_password(NEW_PASSWORD)


def reset_key_of(path: str) -> str:
    return re.search(r"/key/([0-9a-z]+-[^/]+)/", path).group(1)


@dataclass(frozen=True)
class Scenario:
    kind: str  # a purpose in core.tokens.TOKEN_KINDS
    name: str
    mint: Callable  # (world) -> (where to use it, the token), made at B
    use: Callable  # (client, where, token) -> response
    worked: Callable  # (world, tenant, response) -> whether it had its effect there


def mint_email_confirmation(world: World):
    connection.set_tenant(world.b)
    align(world, User, EmailAddress)
    user = UserFactory()
    client = world.client(world.b)
    client.force_login(user)
    client.post("/accounts/email/", {"action_add": "", "email": "second@beta-token.example"})
    twin_user(world, user)
    connection.set_tenant(world.b)
    world.pk["address"] = EmailAddress.objects.get(email="second@beta-token.example").pk
    path = world.link(world.b)
    return path, path.rstrip("/").rsplit("/", 1)[1]


def email_verified(world: World, tenant, response) -> bool:
    connection.set_tenant(tenant)
    return EmailAddress.objects.get(pk=world.pk["address"]).verified


def mint_reset_email(world: World):
    connection.set_tenant(world.b)
    align(world, User, EmailAddress)
    user = UserFactory()
    twin_user(world, user)
    world.client(world.b).post("/accounts/password/reset/", {"email": user.email})
    path = world.link(world.b)
    return path, reset_key_of(path)


def mint_staff_invitation(world: World):
    from accounts.services import staff_invite

    connection.set_tenant(world.b)
    align(world, User, EmailAddress)
    with world.capture(execute=True):
        user = staff_invite(
            email="invited@beta-token.example",
            first_name="In",
            last_name="Vited",
            role="staff",
            base_url=world.url(world.b),
            workspace_name="Beta",
        )
    twin_user(world, user)
    path = world.link(world.b)
    return path, reset_key_of(path)


def mint_portal_invitation(world: World):
    from portal.services import customer_user_create

    connection.set_tenant(world.b)
    company = CustomerFactory()
    align(world, User, EmailAddress)
    with world.capture(execute=True):
        membership = customer_user_create(
            customer=company,
            email="customer@beta-token.example",
            first_name="Cus",
            last_name="Tomer",
            role="read_only",
            actor=None,
            base_url=world.url(world.b),
        )
    twin_user(world, membership.user)
    path = world.link(world.b)
    return path, reset_key_of(path)


def mint_portal_reset_link(world: World):
    from portal.services import send_password_reset_link

    connection.set_tenant(world.b)
    align(world, User, EmailAddress)
    user = MembershipFactory().user
    twin_user(world, user)
    connection.set_tenant(world.b)
    with world.capture(execute=True):
        send_password_reset_link(user=user, base_url=world.url(world.b))
    path = world.link(world.b)
    return path, reset_key_of(path)


SIGNED_IN_MESSAGE = "Successfully signed in"


def mint_messages_cookie(world: World):
    connection.set_tenant(world.b)
    user = UserFactory()
    response = world.client(world.b).post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return "/accounts/login/", response.cookies["messages"].value


def use_messages_cookie(client: Client, path: str, token: str):
    client.cookies["messages"] = token
    return client.get(path)


def message_shown(world: World, tenant, response) -> bool:
    return SIGNED_IN_MESSAGE in response.content.decode()


JOIN_EMAIL = "new.person@beta-token.example"


def claim_domain(domain: str) -> None:
    """A company that verified ``domain`` and lets people at it ask to join."""
    from django.utils import timezone

    company = CustomerFactory()
    CompanyProfile.objects.update_or_create(customer=company, defaults={"allow_domain_join": True})
    CompanyDomain.objects.create(
        customer=company, domain=domain, token="t", verified_at=timezone.now()
    )


def mint_join_link(world: World):
    for tenant in (world.a, world.b):  # both tenants would take the request
        connection.set_tenant(tenant)
        claim_domain("beta-token.example")
    connection.set_tenant(world.b)
    data = {"first_name": "New", "last_name": "Person", "email": JOIN_EMAIL}
    with world.capture(execute=True):
        world.client(world.b).post("/portal/join/", data)
    path = world.link(world.b)
    return path, path.rstrip("/").rsplit("/", 1)[1]


def join_requested(world: World, tenant, response) -> bool:
    connection.set_tenant(tenant)
    return JoinRequest.objects.filter(email=JOIN_EMAIL).exists()


def mint_domain_link(world: World):
    from portal.domains import domain_add, domain_send_verification_link

    connection.set_tenant(world.b)
    company = CustomerFactory()
    align(world, CompanyDomain)
    row = domain_add(customer=company, domain="beta-verify.example", actor=None)
    with world.capture(execute=True):
        row = domain_send_verification_link(
            company_domain=row,
            address="admin@beta-verify.example",
            actor=None,
            base_url=world.url(world.b),
        )
    connection.set_tenant(world.a)
    # Same id, same secret, same address and time: only the tenant differs.
    twin(world, row, customer_id=CustomerFactory().pk, requested_by_id=None)
    world.pk["domain"] = row.pk
    path = world.link(world.b)
    return path, path.rstrip("/").rsplit("/", 1)[1]


def domain_verified(world: World, tenant, response) -> bool:
    connection.set_tenant(tenant)
    return CompanyDomain.objects.get(pk=world.pk["domain"]).verified_at is not None


def get_then_post(client: Client, path: str, token: str):
    """Open the link (the page it shows is compared), then press its button."""
    page = client.get(path)
    client.post(path)
    return page


SCENARIOS = [
    Scenario(
        "allauth.account",
        "email confirmation",
        mint_email_confirmation,
        get_then_post,
        email_verified,
    ),
    Scenario("password_reset", "reset email", mint_reset_email, use_reset_link, password_changed),
    Scenario(
        "password_reset",
        "staff invitation",
        mint_staff_invitation,
        use_reset_link,
        password_changed,
    ),
    Scenario(
        "password_reset",
        "portal invitation",
        mint_portal_invitation,
        use_reset_link,
        password_changed,
    ),
    Scenario(
        "password_reset",
        "portal reset link",
        mint_portal_reset_link,
        use_reset_link,
        password_changed,
    ),
    Scenario(
        "messages",
        "flash messages cookie",
        mint_messages_cookie,
        use_messages_cookie,
        message_shown,
    ),
    Scenario("portal.join", "join by email domain", mint_join_link, get_then_post, join_requested),
    Scenario(
        "portal.domain_verify",
        "domain verification",
        mint_domain_link,
        get_then_post,
        domain_verified,
    ),
]


def forged(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def page_of(response, *secrets: str) -> tuple[int, str]:
    """Status and page, without the CSRF token and the token itself."""
    body = response.content.decode(errors="replace")
    body = re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"', r"\1", body)
    for secret in secrets:
        body = body.replace(secret, "TOKEN")
    return response.status_code, body


def cases():
    for kind in tokens.TOKEN_KINDS:
        mine = [s for s in SCENARIOS if s.kind == kind]
        if not mine:
            yield pytest.param(kind, None, id=f"{kind}-no-scenario")
        for scenario in mine:
            yield pytest.param(kind, scenario, id=f"{kind}-{scenario.name.replace(' ', '-')}")


@pytest.mark.parametrize(("kind", "scenario"), list(cases()))
def test_a_token_made_at_another_tenant_does_nothing_here(
    kind, scenario, tenant, other_tenant, django_capture_on_commit_callbacks
):
    assert scenario is not None, f"{kind}: add a scenario to SCENARIOS for this kind of token"
    world = World(tenant, other_tenant, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    where, token = scenario.mint(world)

    here = scenario.use(world.client(world.a), where, token)
    assert not scenario.worked(world, world.a, here), f"{kind}: B's token worked at A"
    fake = forged(token)
    refused = scenario.use(world.client(world.a), where.replace(token, fake), fake)
    assert page_of(here, token) == page_of(refused, fake), "not the page a forged token gets"

    there = scenario.use(world.client(world.b), where, token)
    assert scenario.worked(world, world.b, there), f"{kind}: the token does not work at B"


# --- Nothing signs outside core/tokens.py -------------------------------------------------

SIGNING = re.compile(
    r"signing\.(dumps|loads)|\b(Timestamp)?Signer\(|get_cookie_signer|salted_hmac|"
    r"(sign|unsign)_object|(get|set)_signed_cookie|make_token|check_token|TokenGenerator|"
    r"default_token_generator"
)
NOT_PRODUCT = {".venv", "node_modules", "tests", ".git", ".data", "test-artifacts"}


def test_nothing_signs_a_value_outside_core_tokens():
    """A new kind of token goes through ``core.tokens`` (and so gets a scenario above)."""
    found = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_PRODUCT or relative == Path("core/tokens.py"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if SIGNING.search(line) and "core.tokens." not in line:  # settings naming it
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "sign with core.tokens instead:\n" + "\n".join(found)


def test_an_unregistered_purpose_is_refused():
    with pytest.raises(LookupError):
        tokens.tenant_dumps({"x": 1}, purpose="unregistered.kind")


def test_allauth_signs_with_the_tenant_bound_generator_salt_and_cookie():
    from allauth.account import app_settings
    from allauth.account.forms import default_token_generator
    from allauth.mfa import app_settings as mfa_settings

    assert isinstance(default_token_generator, tokens.TenantPasswordResetTokenGenerator)
    assert app_settings.PASSWORD_RESET_TOKEN_GENERATOR is tokens.TenantPasswordResetTokenGenerator
    assert tokens.tenant_salt("allauth.account") == app_settings.SALT
    assert settings.MESSAGE_STORAGE == "core.tokens.TenantMessageStorage"
    # allauth's "trust this browser" cookie is signed without the tenant: bind it first.
    assert not mfa_settings.TRUST_ENABLED and not app_settings.LOGIN_BY_CODE_TRUST_ENABLED


def test_another_tenants_session_csrf_and_messages_cookies_give_nothing_here(tenant, other_tenant):
    """Sessions live in each tenant's own schema and the cookies are host-only: B's cookies
    sent to A's host are nobody's, and a form posted with B's CSRF pair changes nothing."""
    from customers.models import Customer

    connection.set_tenant(other_tenant)
    user = UserFactory(role="owner")
    beta = Client(HTTP_HOST=host_of(other_tenant))
    response = beta.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    for name in ("sessionid", "messages"):
        assert not response.cookies[name]["domain"], f"{name} is sent to other hosts"
    assert settings.SESSION_COOKIE_DOMAIN is None and settings.CSRF_COOKIE_DOMAIN is None
    page = beta.get("/customers/add/")
    assert page.status_code == 200
    csrf = re.search(r'csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    alpha = Client(HTTP_HOST=host_of(tenant))
    for name, morsel in beta.cookies.items():
        alpha.cookies[name] = morsel.value
    alpha.cookies["messages"] = response.cookies["messages"].value
    response = alpha.get("/customers/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert SIGNED_IN_MESSAGE not in alpha.get("/accounts/login/").content.decode()
    connection.set_tenant(tenant)
    before = Customer.objects.count()
    response = alpha.post(
        "/customers/add/", {"csrfmiddlewaretoken": csrf, "name": "Planted", "status": "active"}
    )
    assert response.status_code in (302, 403)
    assert "Location" not in response or "/accounts/login/" in response["Location"]
    connection.set_tenant(tenant)
    assert Customer.objects.count() == before
