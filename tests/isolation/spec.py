"""The vocabulary of the isolation spec: what a route needs (``Need``), one request to it
(``Case``), and which records a case names (found by running its builders on a recorder, so
nobody has to say it twice).

The spec tables are spec_console.py, spec_portal.py, spec_api.py and spec_third_party.py;
test_completeness.py proves that together they cover every route the URL resolvers know."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .resolvers import TENANT
from .world import COMPANY_RECORDS, TENANT_RECORDS

# --- What a route needs --------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """A console capability; ``ROLE_GRANTS`` says which staff roles have it."""

    capability: str

    def __str__(self) -> str:
        return f"staff:{self.capability}"


@dataclass(frozen=True)
class Portal:
    """A portal permission of the company in the URL ("" = any of its customer users)."""

    permission: str = ""

    def __str__(self) -> str:
        return f"portal:{self.permission or 'any'}"


@dataclass(frozen=True)
class SignedIn:
    """Anyone signed in to this host: their own account's pages."""

    def __str__(self) -> str:
        return "signed-in"


@dataclass(frozen=True)
class Anyone:
    """Pages for people who are not signed in yet (sign-in, password reset, join…)."""

    def __str__(self) -> str:
        return "anyone"


@dataclass(frozen=True)
class Operator:
    """Platform operators, on the platform's own host."""

    def __str__(self) -> str:
        return "operator"


Need = Staff | Portal | SignedIn | Anyone | Operator

VIEW, EDIT, MANAGE = Staff("view"), Staff("edit"), Staff("manage")
BILLING, IMPORT, TENANT_SETTINGS = Staff("billing"), Staff("import"), Staff("tenant")
ADMIN_SITE = Staff("admin_site")

# DESIGN.md's "People" table, written out here and not imported from the policy layer, so a
# change of policy shows up as a failing case instead of silently moving the expectation.
ROLE_GRANTS: dict[str, frozenset[str]] = {
    "owner": frozenset({"view", "edit", "manage", "billing", "import", "tenant", "admin_site"}),
    "admin": frozenset({"view", "edit", "manage", "billing", "import"}),
    "staff": frozenset({"view", "edit", "import"}),
    "viewer": frozenset({"view"}),
}

# --- One request to a route ----------------------------------------------------------------

Builder = Callable[[Any], Any]


@dataclass(frozen=True)
class Case:
    """One request to a named route, and who may make it.

    ``kwargs`` and ``data`` build the URL kwargs and the body from the target's objects
    (``o.customer``, ``o.location``, ``o.company`` for the portal, ``o.plan``…, see world.py).
    A write (any method but GET) must leave the database and the outbox alone for everyone
    refused, and change something for everyone allowed — unless ``no_effect`` says why not.
    """

    name: str
    need: Need
    method: str = "get"
    kwargs: Builder | None = None
    args: Builder | None = None  # positional URL args (regex routes without group names)
    data: Any = None  # a dict/list, or a builder of one
    variant: str = ""  # tells apart two cases of one name and method in the test ids
    etag: Builder | None = None  # the record whose ETag goes into If-Match (API updates)
    no_effect: str = ""  # why an allowed write changes nothing
    negative: str = ""  # why no actor at all is allowed (else some actor must be: see tests)
    ok: tuple[int, ...] = ()  # what "allowed" answers, when not the usual 200/302 (2xx API)
    missing: tuple[int, ...] = (404,)  # what "not found" answers
    # Deviations from the oracle, by kind: "staff", "customer", "operator" (signed in) or
    # "nobody" (anyone the host does not know); ``actor_answers`` by actor key comes first.
    answers: dict[str, Any] = field(default_factory=dict)
    actor_answers: dict[str, Any] = field(default_factory=dict)
    # Known bugs (a leak, a 500), by actor key or "key@target": the reason; a strict xfail.
    bugs: dict[str, str] = field(default_factory=dict)
    host: str = TENANT
    area: str = ""  # who is exercised (see actors.py); derived from the route when empty
    rule: str = ""  # the third-party rule that made this case (spec_third_party.py)

    @property
    def id(self) -> str:
        host = "platform/" if self.host != TENANT else ""
        variant = f"[{self.variant}]" if self.variant else ""
        method = "" if self.method == "get" else f".{self.method}"
        return f"{host}{self.name}{variant}{method}"

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:") or self.name.startswith("(unnamed) api/")

    @property
    def writes(self) -> bool:
        return self.method != "get"

    @property
    def surface(self) -> str:
        if self.area:
            return self.area
        if isinstance(self.need, Portal):
            return "portal_api" if self.is_api else "portal"
        return "api" if self.is_api else "console"

    @cached_property
    def refs(self) -> frozenset[str]:
        """The objects the URL names (``company`` is the portal URL's company)."""
        return _recorded(self.kwargs) | _recorded(self.args)

    @cached_property
    def data_refs(self) -> frozenset[str]:
        """The objects the body names (a create for another company's customer…)."""
        return _recorded(self.data) if callable(self.data) else frozenset()

    def build_kwargs(self, objects) -> dict | None:
        return self.kwargs(objects) if self.kwargs else None

    def build_data(self, objects):
        return self.data(objects) if callable(self.data) else self.data


class _Stub:
    """Stands in for a record while a builder is recorded."""

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __str__(self) -> str:
        return "1"


class _Recorder:
    def __init__(self):
        self.names: set[str] = set()

    def __getattr__(self, name):
        if name not in COMPANY_RECORDS | TENANT_RECORDS | {"company", "public"}:
            raise AttributeError(f"The isolation world has no {name!r}")
        self.names.add(name)
        return _Stub()


def _recorded(builder) -> frozenset[str]:
    if builder is None:
        return frozenset()
    recorder = _Recorder()
    builder(recorder)
    return frozenset(recorder.names)


# Builders for the common URL kwargs.
def pk_of(name: str) -> Builder:
    return lambda o: {"pk": getattr(o, name).pk}


CUSTOMER, LOCATION, ASSET, PROJECT = (
    pk_of(n) for n in ("customer", "location", "asset", "project")
)
INVOICE, DRAFT, SUBSCRIPTION = pk_of("invoice"), pk_of("draft"), pk_of("subscription")
DELETED = pk_of("deleted")
