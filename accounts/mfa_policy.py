"""Required two-factor authentication: who must have a second factor, and the one middleware
that sends them to set one up.

The owner requires it for the workspace's staff (``SecurityPolicy``); a customer admin for
their company's portal users (the portal registers a requirement resolver here, so this
module imports no portal code). Whether a person is under a requirement without a second
factor is worked out when they sign in and kept in their session, so pages cost nothing for
everyone else; while it holds, every page but sign-out and the enrolment pages sends them to
``core:two_factor_setup``. A requirement turned on, or a factor reset, takes effect at the
person's next sign-in.

API tokens are not affected: a token is a separate, revocable secret its owner created while
signed in (behind their second factor, where one is required), and a request with a token has
no session to enrol in. Session requests to the API under a pending requirement get a JSON
403 instead of a redirect.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_tenants.utils import get_public_schema_name

from .models import SecurityPolicy

SESSION_KEY = "clientele_two_factor"
# Second factors that count (recovery codes exist only next to one of these).
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# What a person under a pending requirement may still open.
ENROLMENT_URL_NAMES = frozenset(
    {
        "core:two_factor_setup",
        "account_logout",
        "account_login",
        "account_reauthenticate",
        "account_email",
        "account_confirm_email",
        "account_email_verification_sent",
        "mfa_index",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_view_recovery_codes",
    }
)
ALWAYS_OPEN_PREFIXES = ("/static/",)

RequirementResolver = Callable[[object], str | None]
_requirement_resolvers: list[RequirementResolver] = []


def register_requirement_resolver(resolver: RequirementResolver) -> None:
    """``resolver(user)`` returns who requires a second factor of a user that is no staff
    member (the portal: "Acme Corp requires …"), or ``None``."""
    if resolver not in _requirement_resolvers:
        _requirement_resolvers.append(resolver)


def _in_tenant() -> bool:
    return connection.schema_name != get_public_schema_name()


def two_factor_requirement(user) -> str:
    """Why ``user`` must have a second factor ("" when nobody requires it)."""
    if user is None or not user.is_authenticated or not _in_tenant():
        return ""
    if user.role:
        if SecurityPolicy.current().require_two_factor_for_staff:
            tenant = getattr(connection, "tenant", None)
            name = getattr(tenant, "name", "") or "This workspace"
            return f"{name} requires two-factor authentication for its staff."
        return ""
    for resolver in _requirement_resolvers:
        requirement = resolver(user)
        if requirement:
            return requirement
    return ""


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exists()


def pending_requirement(user) -> str:
    """The requirement ``user`` has yet to meet ("" when none, or met)."""
    requirement = two_factor_requirement(user)
    return requirement if requirement and not has_second_factor(user) else ""


def remember(request, user) -> str:
    pending = pending_requirement(user)
    state = {"user": user.pk, "pending": pending}
    if request.session.get(SESSION_KEY) != state:
        request.session[SESSION_KEY] = state
    return pending


@receiver(user_logged_in)
def check_requirement_on_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and _in_tenant():
        remember(request, user)


def _is_enrolment_page(request) -> bool:
    if request.path.startswith(ALWAYS_OPEN_PREFIXES):
        return True
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.view_name in ENROLMENT_URL_NAMES


class TwoFactorRequiredMiddleware:
    """A signed-in person under a requirement without a second factor sees only sign-out and
    the enrolment pages until they set one up (checked again on each of their requests)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not _in_tenant():
            return self.get_response(request)
        state = request.session.get(SESSION_KEY)
        if not state or state.get("user") != user.pk:
            pending = remember(request, user)
        elif state.get("pending"):
            pending = remember(request, user)  # enrolled since the last request?
        else:
            pending = ""
        if pending:
            request.two_factor_pending = pending
            if not _is_enrolment_page(request):
                return self.refuse(request, pending)
        return self.get_response(request)

    def refuse(self, request, pending: str):
        url = reverse("core:two_factor_setup")
        if request.path.startswith("/api/"):
            detail = f"{pending} Set up two-factor authentication first: {url}"
            return JsonResponse({"detail": detail}, status=403)
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter: under a requirement, nobody removes their last second factor
    (they add another first, or an admin resets it)."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type not in FACTOR_TYPES:
            return True
        user = authenticator.user
        if not two_factor_requirement(user):
            return True
        others = Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exclude(
            pk=authenticator.pk
        )
        return others.exists()
