"""API settings' classes (imported by DRF's settings, so this module imports nothing of ours
that imports DRF views)."""

import math

from django.db import connection
from rest_framework import exceptions, pagination, parsers, permissions, throttling

from core.policies import Capability, user_can
from core.throttle import count_request


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
    """A rate per API token (per user for session requests), per tenant. Counted with one
    UPSERT per request (core.throttle), not in the cache: the database cache spent four
    queries per request on it, one a COUNT(*) of the cache table."""

    scope = "token"

    def get_cache_key(self, request, view):
        ident = (
            f"token-{request.auth.pk}"
            if hasattr(request.auth, "prefix")
            else f"user-{request.user.pk}"
        )
        schema = getattr(connection, "schema_name", "public")
        return f"{schema}:" + self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        allowed, self._wait = count_request(
            key, limit=self.num_requests, duration=self.duration, now=self.timer()
        )
        return allowed

    def wait(self):
        return self._wait


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


def _unsafe_value(data) -> str:
    """Why a parsed JSON value cannot be taken: a NUL character anywhere (PostgreSQL cannot
    store one) or a number too large for a float (``1e309`` parses to infinity, which no
    field can store). Iterative: a deep document must not exhaust the stack here either."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "Text may not contain NUL (\\u0000) characters."
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "Numbers must be finite (this one is too large)."
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return ""


class TextSafeJSONParser(parsers.JSONParser):
    """JSON bodies are a 400, never a 500, when they hold a NUL character anywhere, a number
    that overflows to infinity, or nest too deeply for the decoder."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                "JSON parse error - the document nests too deeply."
            ) from None
        problem = _unsafe_value(data)
        if problem:
            raise exceptions.ParseError(problem)
        return data


def _checked_form(data):
    """A parsed form (a QueryDict, or multipart's DataAndFiles) refused like JSON when a
    value holds a NUL character."""
    fields = getattr(data, "data", data)
    for values in fields.lists():
        if _unsafe_value(values[1]):
            raise exceptions.ParseError("Text may not contain NUL (\\u0000) characters.")
    return data


class TextSafeFormParser(parsers.FormParser):
    """Form bodies, refused like JSON when a value holds a NUL character."""

    def parse(self, stream, media_type=None, parser_context=None):
        return _checked_form(super().parse(stream, media_type, parser_context))


class TextSafeMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _checked_form(super().parse(stream, media_type, parser_context))
