"""API settings' classes (imported by DRF's settings, so this module imports nothing of ours
that imports DRF views)."""

from rest_framework import exceptions, pagination, parsers, permissions, throttling

from core.policies import Capability, user_can


class ConsolePermission(permissions.BasePermission):
    """The console's roles, through the policy layer: reading needs a console role, writing
    Staff or above (or the view's ``write_capability``), deleting Admin or above. Customer
    users' tokens get 403 here."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return user_can(request.user, Capability.VIEW_CONSOLE)
        if request.method == "DELETE":
            return user_can(request.user, Capability.MANAGE_RECORDS)
        return user_can(request.user, getattr(view, "write_capability", Capability.EDIT_RECORDS))


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """A rate per API token (per user for session requests)."""

    scope = "token"

    def get_cache_key(self, request, view):
        ident = (
            f"token-{request.auth.pk}"
            if hasattr(request.auth, "prefix")
            else f"user-{request.user.pk}"
        )
        return self.cache_format % {"scope": self.scope, "ident": ident}


class IdCursorPagination(pagination.CursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class BillingPermission(ConsolePermission):
    """Billing reads as any console record; issuing, subscribing and recording payments is for
    owners and admins only."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return user_can(request.user, Capability.VIEW_CONSOLE)
        return user_can(request.user, Capability.MANAGE_BILLING)


def _has_nul(data) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(key) or _has_nul(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_has_nul(item) for item in data)
    return False


class TextSafeJSONParser(parsers.JSONParser):
    """JSON bodies with a NUL character anywhere are a 400 (PostgreSQL cannot store one)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise exceptions.ParseError("Text may not contain NUL (\\u0000) characters.")
        return data
