"""The API's portal rules: customer users' tokens reach their own company (or one of its
sub-accounts) and only what their portal role gives."""

from __future__ import annotations

from rest_framework import permissions

from core.querysets import access
from core.scope import scope_for
from customers.models import Customer


class PortalApiPermission(permissions.BasePermission):
    """The company portal's rules for customer users' tokens, through the user's scope: only
    customer users whose company's portal access is active, and only what their portal role
    gives (the view's ``read_permission`` / ``write_permission``). Console staff get 403."""

    message = "Your portal role does not allow this."

    def has_permission(self, request, view) -> bool:
        scope = scope_for(request.user)
        if not scope.is_customer_user:
            self.message = "This part of the API is for your customers' users."
            return False
        if scope.portal_access != "active":
            self.message = "Your company's portal access is suspended."
            return False
        return True

    def has_portal_permission(self, request, view) -> bool:
        """Checked once the company in the URL is known to be visible (else 404 first)."""
        needed = view.read_permission if request.method in permissions.SAFE_METHODS else None
        needed = needed or view.write_permission
        return scope_for(request.user).portal_can(needed)


class PortalCompanyMixin:
    """``/api/v1/portal/companies/{cid}/…`` for customer users' tokens: the company must be
    one the policy layer lets them see (their own, or one of its sub-accounts), else 404;
    then their portal role must give the view's read or write permission, else 403."""

    permission_classes = [PortalApiPermission]
    read_permission: str = ""
    write_permission: str = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.company = access(Customer, scope_for(request.user), kwargs.get("cid"))
        if not PortalApiPermission().has_portal_permission(request, self):
            self.permission_denied(request, message=PortalApiPermission.message)
