"""Shared view machinery: every console view states the capability it needs, nothing more."""

from __future__ import annotations

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from .policies import Capability, user_can
from .scope import scope_for

UNLIMITED_SCOPE_ONLY = (
    "This page acts on every customer of the workspace, and you see only the customers "
    "assigned to you."
)


class ConsoleAccessMixin(AccessMixin):
    """Anonymous → sign-in page; signed in without ``required_capability`` → 403; a
    tenant-wide page (``requires_unlimited_scope``) asked for by a staff user limited to
    assigned customers → 403 saying why (rather than half of the operation)."""

    required_capability: Capability = Capability.VIEW_CONSOLE
    requires_unlimited_scope = False
    raise_exception = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_can(request.user, self.required_capability):
            self.raise_exception = True
            return self.handle_no_permission()
        if self.requires_unlimited_scope and scope_for(request.user).is_limited:
            raise PermissionDenied(UNLIMITED_SCOPE_ONLY)
        return super().dispatch(request, *args, **kwargs)

    def get_permission_denied_message(self) -> str:
        return "Your role does not allow this."


class BreadcrumbsMixin:
    """Pages list their trail as (label, url) pairs (the last is the current page) and name
    the navigation section they belong to."""

    breadcrumbs: list[tuple[str, str | None]] = []
    nav_section = ""

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        return list(self.breadcrumbs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = self.get_breadcrumbs()
        context["nav_section"] = self.nav_section
        return context
