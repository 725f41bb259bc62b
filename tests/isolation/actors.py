"""Who asks: the one list of actors the matrix runs every route for.

An actor is a person (or nobody), the host they send requests to, and the targets they try:
whose records go into the URL (world.TARGETS: "own" = company A's, "other" = company B's…),
each for the areas of the app where that pairing says something.

Adding an actor is one entry in ``ACTORS`` (and, for a new kind of person, a branch in
``make_person``); its expectations follow from its kind, role and reach (oracle.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test import Client

from tests.factories import CustomerFactory, MembershipFactory, UserFactory

# Areas of the app (a case's ``surface``, see spec.Case).
CONSOLE, PORTAL, API, PORTAL_API = "console", "portal", "api", "portal_api"
ALLAUTH, ADMIN = "allauth", "admin"
PUBLIC, PLATFORM_ADMIN = "public", "platform_admin"  # the platform's own host
API_DOCS = "api_docs"  # the API's schema and docs: slow to build, the same for everyone
APP_AREAS = frozenset({CONSOLE, PORTAL, API, PORTAL_API})  # our own routes
TENANT_AREAS = APP_AREAS | {ALLAUTH, ADMIN}
PORTALS = frozenset({PORTAL, PORTAL_API})
PUBLIC_AREAS = frozenset({PUBLIC, PLATFORM_ADMIN})
HOSTS = {"alpha": "alpha.localhost", "beta": "beta.localhost", "public": "localhost"}

# What each portal role may do, as DESIGN.md describes it (not imported from the policy
# layer). The limited user sees two sections; the custom user's permission set is world.py's.
PORTAL_PERMISSIONS = frozenset(
    {
        "view_overview",
        "view_users",
        "manage_users",
        "view_locations",
        "manage_locations",
        "view_assets",
        "manage_settings",
        "view_billing",
        "view_documents",
        "view_tickets",
        "open_tickets",
    }
)
PORTAL_GRANTS: dict[str, frozenset[str]] = {
    "admin": PORTAL_PERMISSIONS,
    "full": PORTAL_PERMISSIONS - {"manage_users"},
    "read_only": frozenset(p for p in PORTAL_PERMISSIONS if p.startswith("view_")),
    "limited": frozenset({"view_locations", "view_users"}),
    "custom": frozenset({"view_assets", "manage_settings"}),  # PermissionSetFactory's
}


def _on(*pairs) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(pairs)


@dataclass(frozen=True)
class Actor:
    key: str
    kind: str  # "anonymous", "staff", "customer" or "operator"
    role: str = ""  # a staff role (ROLE_GRANTS) or a portal role (PORTAL_GRANTS)
    tenant: str = "alpha"  # where the person exists ("public" for operators)
    replayed_on: str = ""  # their session cookie / token is replayed on this host instead
    # (target, areas): the first is the actor's main target; the others are tried only on
    # cases whose URL or body names records (elsewhere they would repeat the first).
    targets: tuple[tuple[str, frozenset[str]], ...] = _on(("own", TENANT_AREAS))
    family: str = "A"  # a customer user's company family; a limited staff user's assignment
    limited: bool = False  # a staff user an owner limited to ``family``
    membership: dict = field(default_factory=dict)  # a portal role's sections…
    # Not switched on yet: every case of this actor is xfail(strict=False), and an error
    # building the person only makes those cases fail (see README.md, "Limited staff").
    pending: str = ""

    def id(self, target: str) -> str:
        return self.key if target == self.targets[0][0] else f"{self.key}@{target}"

    @property
    def signed_in(self) -> bool:
        """Whether the host they talk to knows them (a replayed session is nobody there)."""
        return self.kind != "anonymous" and not self.replayed_on

    def host(self, case_host: str) -> str:
        if self.replayed_on:
            return self.replayed_on
        if self.kind == "anonymous":
            return "public" if case_host == "public" else "alpha"
        return self.tenant


# The third-party areas (allauth, the admin sites) take fewer actors: their rules hinge on one
# check each (signed in, owner, operator), so one allowed and one or two refused actors say it.
ACTORS = [
    Actor("anonymous", "anonymous", targets=_on(("own", TENANT_AREAS | PUBLIC_AREAS | {API_DOCS}))),
    Actor("owner", "staff", role="owner"),
    Actor("admin", "staff", role="admin", targets=_on(("own", APP_AREAS | {ADMIN}))),
    Actor("staff", "staff", role="staff", targets=_on(("own", APP_AREAS))),
    Actor("viewer", "staff", role="viewer", targets=_on(("own", APP_AREAS))),
    # An owner limited this staff user to company A (and its sub-accounts): same as staff on
    # A's records, 404 on any other company's, lists without them.
    Actor(
        "limited_staff",
        "staff",
        role="staff",
        limited=True,
        targets=_on(("own", APP_AREAS), ("other", APP_AREAS), ("other_sub", APP_AREAS)),
    ),
    # Customer users of company A: another company's records are not found (404), the
    # console is a role check (403); their own company is the positive control.
    Actor(
        "customer_admin",
        "customer",
        role="admin",
        targets=_on(
            ("other", TENANT_AREAS),
            ("own", PORTALS),
            ("own_sub", PORTALS),
            ("other_sub", PORTALS),
            ("mixed", PORTALS),
        ),
    ),
    Actor(
        "customer_user",
        "customer",
        role="read_only",
        targets=_on(("other", APP_AREAS), ("own", PORTALS)),
    ),
    Actor("customer_full", "customer", role="full", targets=_on(("own", PORTALS))),
    Actor(
        "customer_limited",
        "customer",
        role="limited",
        membership={"sections": ["locations", "users"]},
        targets=_on(("own", PORTALS)),
    ),
    Actor("customer_custom", "customer", role="custom", targets=_on(("own", PORTALS))),
    # People of tenant beta on beta's host, asking for alpha's ids: nothing is found.
    Actor("other_tenant_owner", "staff", role="owner", tenant="beta"),
    Actor(
        "other_tenant_customer_admin",
        "customer",
        role="admin",
        tenant="beta",
        family="beta",
        targets=_on(("own", PORTALS)),
    ),
    # Beta's owner's session cookie and token sent to alpha's host: nobody there.
    Actor(
        "replayed_session",
        "staff",
        role="owner",
        tenant="beta",
        replayed_on="alpha",
        targets=_on(("own", APP_AREAS | {ALLAUTH})),
    ),
    # The platform's host: its operators, and a tenant owner's session replayed there.
    Actor("platform_operator", "operator", tenant="public", targets=_on(("own", PUBLIC_AREAS))),
    Actor(
        "replayed_on_platform",
        "staff",
        role="owner",
        replayed_on="public",
        targets=_on(("own", PUBLIC_AREAS)),
    ),
]
ACTOR_BY_KEY = {actor.key: actor for actor in ACTORS}


# --- Signing them in ------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    session: str = ""
    token: str = ""
    error: BaseException | None = None  # why this actor could not be built (pending)


def limit_staff_user(user, *, customers, owner) -> None:
    """Limit ``user`` to ``customers`` (with their sub-accounts), as an owner does, through
    the Team feature's service. While ``limited_staff`` is pending, a failure here only makes
    its cases xfail."""
    from customers.access import staff_customer_access_set

    staff_customer_access_set(
        member=user, access="assigned", teams=[], customers=customers, actor=owner
    )


def make_person(actor: Actor, world):
    """The actor's user, in the schema of their tenant (set by the caller)."""
    if actor.kind == "operator":
        return UserFactory(role="", is_staff=True, is_superuser=True)
    if actor.kind == "staff":
        user = UserFactory(role=actor.role)
        if actor.limited:
            owner = UserFactory(role="owner")
            limit_staff_user(user, customers=[world.company(actor.family)], owner=owner)
        return user
    if actor.family == "beta":
        company = CustomerFactory(name="Beta customer")
    else:
        company = world.company(actor.family)
    setup = dict(actor.membership)
    if actor.role == "custom":
        setup["permission_set"] = world.companies[(actor.family, "top")].permission_set
    return MembershipFactory(customer=company, role=actor.role, **setup).user


def sign_in_everyone(world) -> dict[str, Credentials]:
    from accounts.tokens import api_token_create

    schemas = {"alpha": world.alpha, "beta": world.beta}
    credentials = {}
    for actor in ACTORS:
        if actor.kind == "anonymous":
            credentials[actor.key] = Credentials()
            continue
        if actor.tenant == "public":
            connection.set_schema_to_public()
        else:
            connection.set_tenant(schemas[actor.tenant])
        try:
            with transaction.atomic():
                user = make_person(actor, world)
                client = Client(HTTP_HOST=HOSTS[actor.tenant])
                client.force_login(user)
                _, secret = api_token_create(user=user, name="isolation")
        except Exception as error:
            if not actor.pending:
                raise
            credentials[actor.key] = Credentials(error=error)
        else:
            credentials[actor.key] = Credentials(client.cookies["sessionid"].value, secret)
    connection.set_schema_to_public()
    return credentials
