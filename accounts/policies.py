"""The one place that decides what a signed-in person may see and do inside a tenant.

Views, APIs and templates ask ``user_can(user, Capability.X)``; nothing else compares roles.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import StaffRole, User


class Capability(StrEnum):
    VIEW_CONSOLE = "console.view"
    EDIT_RECORDS = "records.edit"
    MANAGE_RECORDS = "records.manage"
    MANAGE_TENANT = "tenant.manage"
    USE_TENANT_ADMIN = "tenant.admin_site"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    StaffRole.OWNER: frozenset(Capability),
    StaffRole.ADMIN: frozenset(
        {Capability.VIEW_CONSOLE, Capability.EDIT_RECORDS, Capability.MANAGE_RECORDS}
    ),
    StaffRole.STAFF: frozenset({Capability.VIEW_CONSOLE, Capability.EDIT_RECORDS}),
    StaffRole.VIEWER: frozenset({Capability.VIEW_CONSOLE}),
}


def capabilities_of(user: User | None) -> frozenset[Capability]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def user_can(user: User | None, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def require(user: User | None, capability: Capability) -> None:
    if not user_can(user, capability):
        raise PermissionDenied("Your role does not allow this.")


def staff_visible_to(user: User, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """Staff accounts of this tenant that ``user`` may list: every console user sees the team."""
    queryset = User.objects.all() if queryset is None else queryset
    if not user_can(user, Capability.VIEW_CONSOLE):
        return queryset.none()
    return queryset.exclude(role="")


def assignable_roles(user: User) -> list[tuple[str, str]]:
    """Roles ``user`` may hand out: only an owner manages staff, and may create other owners."""
    if not user_can(user, Capability.MANAGE_TENANT):
        return []
    return list(StaffRole.choices)


def customer_scope(user: User | None) -> Q | None:
    """Which customers ``user`` may see at all, as a filter; ``None`` means none.

    Console staff see every customer of their tenant (the schema is the tenant boundary).
    """
    if user_can(user, Capability.VIEW_CONSOLE):
        return Q()
    return None


def may_see_deleted(user: User | None) -> bool:
    """Soft-deleted records are visible (to restore or purge them) only to admins and owners."""
    return user_can(user, Capability.MANAGE_RECORDS)
