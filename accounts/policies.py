"""The one place that decides what a signed-in person may see and do inside a tenant.

Views, APIs and templates ask ``user_can(user, Capability.X)``; nothing else compares roles.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django_tenants.utils import get_public_schema_name

from .models import StaffRole, User


class Capability(StrEnum):
    VIEW_CONSOLE = "console.view"
    EDIT_RECORDS = "records.edit"
    MANAGE_RECORDS = "records.manage"
    MANAGE_BILLING = "billing.manage"
    IMPORT_RECORDS = "records.import"
    MANAGE_TENANT = "tenant.manage"
    USE_TENANT_ADMIN = "tenant.admin_site"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    StaffRole.OWNER: frozenset(Capability),
    StaffRole.ADMIN: frozenset(
        {
            Capability.VIEW_CONSOLE,
            Capability.EDIT_RECORDS,
            Capability.MANAGE_RECORDS,
            Capability.MANAGE_BILLING,
            Capability.IMPORT_RECORDS,
        }
    ),
    StaffRole.STAFF: frozenset(
        {Capability.VIEW_CONSOLE, Capability.EDIT_RECORDS, Capability.IMPORT_RECORDS}
    ),
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

    Console staff see every customer of their tenant (the schema is the tenant boundary);
    a customer user sees their own company and its sub-accounts.
    """
    if user_can(user, Capability.VIEW_CONSOLE):
        return Q()
    company_ids = portal_company_ids(user)
    if company_ids:
        return Q(pk__in=company_ids)
    return None


# Kinds of import that also need another capability than IMPORT_RECORDS.
IMPORT_KIND_CAPABILITIES: dict[str, Capability] = {"usage": Capability.MANAGE_BILLING}


def may_import(user: User | None, kind: str) -> bool:
    """Whether ``user`` may import records of ``kind`` (usage needs billing rights too)."""
    extra = IMPORT_KIND_CAPABILITIES.get(kind)
    return user_can(user, Capability.IMPORT_RECORDS) and (extra is None or user_can(user, extra))


def may_see_all_imports(user: User | None) -> bool:
    """Who imported what is visible to admins and owners; others see only their own imports."""
    return user_can(user, Capability.MANAGE_RECORDS)


def may_open_import_job(user: User | None, job) -> bool:
    """An import's page: its importer, and admins and owners (who may see everyone's)."""
    if not may_import(user, job.kind):
        return False
    return job.created_by_id == user.pk or may_see_all_imports(user)


def may_see_deleted(user: User | None) -> bool:
    """Soft-deleted records are visible (to restore or purge them) only to admins and owners."""
    return user_can(user, Capability.MANAGE_RECORDS)


# --- Customer users (the company portal) -------------------------------------------------


def membership_of(user: User | None):
    """The user's portal membership (cached on the user object), or None for staff."""
    if user is None or not user.is_authenticated or user.role:
        return None  # staff (who have a role) are never customer users
    if connection.schema_name == get_public_schema_name():
        return None  # platform operators; there are no companies in the public schema
    if not hasattr(user, "_membership_cache"):
        from portal.models import Membership

        user._membership_cache = (
            Membership.objects.select_related("customer", "permission_set")
            .filter(user=user)
            .first()
        )
    return user._membership_cache


def is_customer_user(user: User | None) -> bool:
    return membership_of(user) is not None


def portal_permissions(user: User | None) -> frozenset[str]:
    """What a customer user may do in the portal, from their role."""
    from portal.models import PortalPermission, PortalRole, PortalSection

    membership = membership_of(user)
    if membership is None or not user.is_active:
        return frozenset()
    everything = frozenset(PortalPermission.values)
    viewing = frozenset(p for p in everything if p.startswith("view_"))
    if membership.role == PortalRole.ADMIN:
        return everything
    if membership.role == PortalRole.FULL:
        return everything - {PortalPermission.MANAGE_USERS}
    if membership.role == PortalRole.READ_ONLY:
        return viewing
    if membership.role == PortalRole.LIMITED:
        sections = set(membership.sections or []) & set(PortalSection.values)
        return frozenset(f"view_{section}" for section in sections) & viewing
    if membership.role == PortalRole.CUSTOM and membership.permission_set is not None:
        return frozenset(membership.permission_set.permissions or []) & everything
    return frozenset()


def portal_can(user: User | None, permission: str) -> bool:
    return permission in portal_permissions(user)


def portal_company_ids(user: User | None) -> list[int]:
    """The user's company and, below it, its sub-accounts (an agency's clients)."""
    membership = membership_of(user)
    if membership is None or not user.is_active:
        return []
    if not hasattr(user, "_company_ids_cache"):
        from customers.overview import customer_family_ids

        user._company_ids_cache = customer_family_ids(membership.customer_id)
    return user._company_ids_cache


def portal_access_state(user: User | None) -> str:
    """ "active", "suspended" or "deactivated" for a customer user's company; "" for staff."""
    membership = membership_of(user)
    if membership is None:
        return ""
    company = membership.customer
    if company.deleted_at is not None or company.portal_access == "deactivated":
        return "deactivated"
    return company.portal_access


def assignable_portal_roles(actor: User) -> list[tuple[str, str]]:
    """Console admins may create customer admins; a customer admin never can."""
    from portal.models import PortalRole

    if user_can(actor, Capability.MANAGE_RECORDS):
        return list(PortalRole.choices)
    if portal_can(actor, "manage_users"):
        return [choice for choice in PortalRole.choices if choice[0] != PortalRole.ADMIN]
    return []
