"""Routes other libraries bring (allauth's account and 2FA pages, Django's admin sites, the
API's schema and root, catch-alls), covered by a few rules instead of an entry each. Every
rule says which routes it takes, what they need and which methods it exercises; a route of
ours never falls under a rule (test_completeness.py checks that each route has exactly one
entry or rule), and every route a rule takes still runs for its area's actors.

A rule exercises GET only: what those libraries do with a POST (sign in, change a password,
save an admin form) is theirs and is tested in tests/accounts; here the question is who may
open the page at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps

from .actors import ADMIN, ALLAUTH, API, API_DOCS, PLATFORM_ADMIN, PUBLIC
from .oracle import LOGIN
from .resolvers import PUBLIC as PUBLIC_HOST
from .resolvers import TENANT, RouteInfo, all_routes
from .spec import ADMIN_SITE, VIEW, Anyone, Case, Need, Operator, SignedIn

# allauth's pages for people who are not signed in yet (or are leaving): sign-in and its
# next steps, password reset, email confirmation links, sign-out.
ALLAUTH_ANYONE = {
    "account_login",
    "account_logout",
    "account_signup",
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_confirm_login_code",
    "mfa_authenticate",
    "mfa_login_webauthn",
}
# allauth's pages about the signed-in person's own account (email, password, 2FA).
ALLAUTH_OWN_ACCOUNT = {
    "account_email",
    "account_change_password",
    "account_set_password",
    "account_reauthenticate",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_reauthenticate_webauthn",
    "mfa_edit_webauthn",
    "mfa_remove_webauthn",
}
# Links from emails carry keys; a forged one is refused without telling anything.
ALLAUTH_KWARGS = {
    "account_confirm_email": {"key": "forged"},
    "account_reset_password_from_key": {"uidb36": "0", "key": "forged-key"},
    # Somebody's passkey: allauth looks it up among the signed-in person's own only.
    "mfa_edit_webauthn": {"pk": 1},
    "mfa_remove_webauthn": {"pk": 1},
}

# The record of each model the admin sites show, in the world (see world.py).
TENANT_ADMIN_RECORDS = {
    "accounts.user": "staff_member",
    "accounts.signinevent": "sign_in_event",
    "customers.customer": "customer",
    "customers.linkedaccount": "linked_account",
    "billing.metric": "metric",
    "billing.plan": "plan",
    "billing.subscription": "subscription",
    "billing.invoice": "invoice",
    "billing.payment": "payment",
    "billing.project": "project",
    "imports.importjob": "import_job",
}
PLATFORM_ADMIN_RECORDS = {
    "tenants.tenant": lambda o: o.public.tenant.pk,
    "accounts.user": lambda o: o.public.user.pk,
    "accounts.signinevent": lambda o: o.public.sign_in_event.pk,
    "procrastinate.procrastinatejob": lambda o: o.public.job_id,
}
# Django's admin answers a missing object with a redirect to its index ("… doesn't exist").
ADMIN_MISSING = (302, 404)


def _admin_model(route: RouteInfo) -> str:
    """The model a ModelAdmin route is about, from its URL name (``<app>_<model>_<view>``)."""
    view_name = route.name.partition(":")[2]
    if not view_name:
        return ""
    if view_name == "auth_user_password_change":  # Django's UserAdmin names it so
        return "accounts.user"
    for model in apps.get_models():
        if view_name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model._meta.label_lower
    return ""


def _admin_record(route: RouteInfo) -> Callable | None:
    """A builder of the pk of the route's model's record in the world."""
    label = _admin_model(route) or _unnamed_admin_model(route)
    if route.host == PUBLIC_HOST:
        return PLATFORM_ADMIN_RECORDS.get(label)
    name = TENANT_ADMIN_RECORDS.get(label)
    return (lambda o: getattr(o, name).pk) if name else None


def _unnamed_admin_model(route: RouteInfo) -> str:
    parts = route.pattern.split("/")
    return f"{parts[1]}.{parts[2]}" if len(parts) > 3 and "<path:object_id>" in parts else ""


def _site_record(host: str) -> Callable:
    """The admin's "view on site" of a customer (a tenant, on the platform's host)."""
    if host == PUBLIC_HOST:
        return lambda o: {"content_type_id": o.public.tenant_type, "object_id": o.public.tenant.pk}
    return lambda o: {"content_type_id": o.customer_type, "object_id": o.customer.pk}


def admin_case_fields(route: RouteInfo) -> dict:
    """URL kwargs (or a path) for an admin route, from the world's record of its model."""
    record = _admin_record(route)
    params = set(route.params)
    if route.name.startswith("(unnamed)"):
        if record:  # <model>/<pk>/ → its change page
            prefix = route.pattern.split("<path:object_id>")[0]
            # It redirects to the record's change page, which says whether it exists.
            return {"kwargs": lambda o: {"path": f"/{prefix}{record(o)}/"}, "missing": (302,)}
        return {"kwargs": lambda o: {"path": "/admin/nothing-here/"}, "ok": (404,)}
    if route.name.endswith(":view_on_site"):
        if route.host == PUBLIC_HOST:  # a tenant has no page of its own to show
            return {"kwargs": _site_record(route.host), "ok": (404,)}
        return {"kwargs": _site_record(route.host), "missing": ADMIN_MISSING}
    if route.name.endswith(":app_list"):
        label = "tenants" if route.host == PUBLIC_HOST else "customers"
        return {"kwargs": lambda o: {"app_label": label}}
    if route.name.endswith("_simple_history"):  # simple_history's one version of a record
        name = TENANT_ADMIN_RECORDS[_admin_model(route)]
        return {
            "args": lambda o: [getattr(o, name).pk, getattr(o, name).history.first().history_id],
            "missing": ADMIN_MISSING,
        }
    if not params:
        return {}
    assert record, f"No record in the world for {route.name}: add one to {__name__}"
    key = "id" if "id" in params else "object_id"
    return {"kwargs": lambda o: {key: record(o)}, "missing": ADMIN_MISSING}


@dataclass(frozen=True)
class Rule:
    label: str
    matches: Callable[[RouteInfo], bool]
    need: Need
    area: str
    fields: Callable[[RouteInfo], dict] = lambda route: {}
    answers: dict = field(default_factory=dict)
    negative: str = ""  # why no actor is allowed on these routes


def _in(names, host: str) -> Callable[[RouteInfo], bool]:
    return lambda route: route.host == host and route.name in names


def _admin(site: str, host: str) -> Callable[[RouteInfo], bool]:
    def matches(route: RouteInfo) -> bool:
        if route.host != host or route.name in ADMIN_SPECIAL:
            return False
        return route.name.startswith(f"{site}:") or route.name.startswith("(unnamed) admin/")

    return matches


_allauth = _in


def _allauth_fields(route: RouteInfo) -> dict:
    kwargs = ALLAUTH_KWARGS.get(route.name)
    return {"kwargs": lambda o: dict(kwargs)} if kwargs else {}


# Pages a signed-in person is refused whoever they are: the admin's own sign-in page (they
# are signed in already; it sends the others to allauth's), the pages of records the admin
# keeps read-only (services write them), and the autocomplete without the field it completes.
REFUSED_TO_ALL = {"staff": 403, "customer": 403, "operator": 403}
NOTHING_TO_OPEN = "no signed-in person may open these; the site's other pages are its controls"
ADMIN_READ_ONLY_PAGES = {
    "tenant_admin:accounts_signinevent_add",
    "tenant_admin:billing_invoice_add",
    "tenant_admin:billing_invoice_delete",
    "tenant_admin:billing_payment_add",
    "tenant_admin:billing_payment_delete",
    "tenant_admin:billing_plan_add",
    "tenant_admin:billing_plan_delete",
    "tenant_admin:billing_project_add",
    "tenant_admin:billing_project_delete",
    "tenant_admin:billing_subscription_add",
    "tenant_admin:billing_subscription_delete",
    "tenant_admin:imports_importjob_add",
    "tenant_admin:autocomplete",
    "platform_admin:accounts_signinevent_add",
    "platform_admin:tenants_tenant_delete",
    "platform_admin:accounts_user_delete",  # operators are deactivated, never deleted
    "platform_admin:procrastinate_procrastinatejob_add",
    "platform_admin:procrastinate_procrastinatejob_delete",
    "platform_admin:autocomplete",
}
ADMIN_SPECIAL = ADMIN_READ_ONLY_PAGES | {
    f"{site}:{page}" for site in ("tenant_admin", "platform_admin") for page in ("login", "logout")
}
# allauth's next steps of a sign-in (a code, a second factor): with no sign-in under way
# they send everyone back to the sign-in page. The passkey sign-in takes its challenge by
# XHR and its answer by POST; a plain GET is sent to the sign-in page too.
ALLAUTH_SIGN_IN_STEPS = {"account_confirm_login_code", "mfa_authenticate", "mfa_login_webauthn"}
# 2FA pages about a factor the person has not set up: 404.
ALLAUTH_NOT_SET_UP = {
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
}


RULES = [
    # allauth, on every tenant's host and on the platform's.
    Rule(
        "allauth: sign-in and recovery pages, for anyone",
        _allauth(ALLAUTH_ANYONE - ALLAUTH_SIGN_IN_STEPS, TENANT),
        Anyone(),
        ALLAUTH,
        _allauth_fields,
    ),
    Rule(
        "allauth: the steps after a password (code, second factor) need a sign-in under way",
        _allauth(ALLAUTH_SIGN_IN_STEPS, TENANT),
        Anyone(),
        ALLAUTH,
        answers={"nobody": LOGIN},
    ),
    Rule(
        "allauth: the signed-in person's own account pages",
        _allauth(ALLAUTH_OWN_ACCOUNT - ALLAUTH_NOT_SET_UP, TENANT),
        SignedIn(),
        ALLAUTH,
        _allauth_fields,
    ),
    Rule(
        "allauth: 2FA pages about a factor not set up: 404 for the signed-in",
        _allauth(ALLAUTH_NOT_SET_UP, TENANT),
        SignedIn(),
        ALLAUTH,
        lambda route: {"ok": (404,)},
    ),
    Rule(
        "allauth on the platform host: sign-in and recovery pages",
        _allauth(ALLAUTH_ANYONE - ALLAUTH_SIGN_IN_STEPS, PUBLIC_HOST),
        Anyone(),
        PUBLIC,
        _allauth_fields,
    ),
    Rule(
        "allauth on the platform host: the steps after a password",
        _allauth(ALLAUTH_SIGN_IN_STEPS, PUBLIC_HOST),
        Anyone(),
        PUBLIC,
        answers={"nobody": LOGIN},
    ),
    Rule(
        "allauth on the platform host: own account pages",
        _allauth(ALLAUTH_OWN_ACCOUNT - ALLAUTH_NOT_SET_UP, PUBLIC_HOST),
        SignedIn(),
        PUBLIC,
        _allauth_fields,
    ),
    Rule(
        "allauth on the platform host: 2FA pages about a factor not set up",
        _allauth(ALLAUTH_NOT_SET_UP, PUBLIC_HOST),
        SignedIn(),
        PUBLIC,
        lambda route: {"ok": (404,)},
    ),
    # Django's admin sites.
    Rule(
        "admin: the workspace's /admin/ is the owner's",
        _admin("tenant_admin", TENANT),
        ADMIN_SITE,
        ADMIN,
        admin_case_fields,
    ),
    Rule(
        "platform admin: the tenant registry is the platform operators'",
        _admin("platform_admin", PUBLIC_HOST),
        Operator(),
        PLATFORM_ADMIN,
        admin_case_fields,
    ),
    Rule(
        "admin: read-only records' add/delete pages, the bare autocomplete: 403 when signed in",
        _in(ADMIN_READ_ONLY_PAGES, TENANT),
        ADMIN_SITE,
        ADMIN,
        admin_case_fields,
        answers=REFUSED_TO_ALL,
        negative=NOTHING_TO_OPEN,
    ),
    Rule(
        "platform admin: read-only records' add/delete pages, the bare autocomplete: 403",
        _in(ADMIN_READ_ONLY_PAGES, PUBLIC_HOST),
        Operator(),
        PLATFORM_ADMIN,
        admin_case_fields,
        answers=REFUSED_TO_ALL,
        negative=NOTHING_TO_OPEN,
    ),
    Rule(
        "admin: its sign-in page sends people to allauth's; 403 for the signed-in",
        _in({"tenant_admin:login"}, TENANT),
        SignedIn(),
        ADMIN,
        answers=REFUSED_TO_ALL,
        negative=NOTHING_TO_OPEN,
    ),
    Rule(
        "platform admin: its sign-in page sends people to allauth's; 403 for the signed-in",
        _in({"platform_admin:login"}, PUBLIC_HOST),
        SignedIn(),
        PLATFORM_ADMIN,
        answers=REFUSED_TO_ALL,
        negative=NOTHING_TO_OPEN,
    ),
    Rule(
        "admin: sign-out is the owner's and takes a POST (405); nobody is sent to the index",
        _in({"tenant_admin:logout"}, TENANT),
        ADMIN_SITE,
        ADMIN,
        lambda route: {"ok": (405,)},
        answers={"nobody": 302},
    ),
    Rule(
        "platform admin: sign-out is the operators' and takes a POST (405)",
        _in({"platform_admin:logout"}, PUBLIC_HOST),
        Operator(),
        PLATFORM_ADMIN,
        lambda route: {"ok": (405,)},
        answers={"nobody": 302},
    ),
    # The platform's landing page.
    Rule("platform: the landing page is public", _in({"landing"}, PUBLIC_HOST), Anyone(), PUBLIC),
    # The API's schema, docs and root; unknown API paths.
    Rule(
        "api: the schema and its docs describe the API, no data: anyone",
        _in({"api_schema", "api_docs"}, TENANT),
        Anyone(),
        API_DOCS,
    ),
    Rule(
        "api: the router's root lists the endpoints: console roles",
        _in({"api:api-root"}, TENANT),
        VIEW,
        API,
    ),
    Rule(
        "api: any other path under /api/ is a JSON 404 for everyone",
        _in({"(unnamed) api/"}, TENANT),
        Anyone(),
        API,
        lambda route: {"kwargs": lambda o: {"path": "/api/v1/nothing-here/"}, "ok": (404,)},
    ),
]


# Routes that fail today (isolation or errors), by (host, name): actor key → what happens.
# Each is a strict xfail: fixing the app makes the test pass and the xfail must then go.
KNOWN_BUGS: dict = {}


def rules_for(route: RouteInfo) -> list[Rule]:
    return [rule for rule in RULES if rule.matches(route)]


def third_party_cases(routes=None) -> list[Case]:
    """One GET case for every route a rule takes."""
    cases = []
    for route in (routes or all_routes()).values():
        for rule in rules_for(route):
            fields = {"answers": dict(rule.answers), "negative": rule.negative}
            fields.update(rule.fields(route))
            fields["bugs"] = KNOWN_BUGS.get(route.key, {})
            cases.append(
                Case(
                    route.name,
                    rule.need,
                    host=route.host,
                    area=rule.area,
                    rule=rule.label,
                    **fields,
                )
            )
    return cases
