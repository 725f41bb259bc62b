"""API settings' classes (imported by DRF's settings, so this module imports nothing of ours
that imports DRF views)."""

from rest_framework import pagination, permissions, throttling

from accounts.policies import (
    Capability,
    is_customer_user,
    portal_access_state,
    portal_can,
    user_can,
)


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


class PortalApiPermission(permissions.BasePermission):
    """The company portal's rules for customer users' tokens, through the policy layer: only
    customer users whose company's portal access is active, and only what their portal role
    gives (the view's ``read_permission`` / ``write_permission``). Console staff get 403."""

    message = "Your portal role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not is_customer_user(user):
            self.message = "This part of the API is for your customers' users."
            return False
        if portal_access_state(user) != "active":
            self.message = "Your company's portal access is suspended."
            return False
        return True

    def has_portal_permission(self, request, view) -> bool:
        """Checked once the company in the URL is known to be visible (else 404 first)."""
        needed = view.read_permission if request.method in permissions.SAFE_METHODS else None
        needed = needed or view.write_permission
        return portal_can(request.user, needed)


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
