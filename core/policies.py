"""Staff roles and what each may do: the one table every check reads.

Views, APIs and templates ask ``user_can(user, Capability.X)`` (or ``scope.can(...)``);
nothing else compares roles.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class StaffRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    STAFF = "staff", "Staff"
    VIEWER = "viewer", "Viewer"


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


def capabilities_of(user) -> frozenset[Capability]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(getattr(user, "role", ""), frozenset())


def user_can(user, capability: Capability) -> bool:
    return capability in capabilities_of(user)


# Kinds of import that also need another capability than IMPORT_RECORDS.
IMPORT_KIND_CAPABILITIES: dict[str, Capability] = {"usage": Capability.MANAGE_BILLING}


def may_import(user, kind: str) -> bool:
    """Whether ``user`` may import records of ``kind`` (usage needs billing rights too)."""
    extra = IMPORT_KIND_CAPABILITIES.get(kind)
    return user_can(user, Capability.IMPORT_RECORDS) and (extra is None or user_can(user, extra))


def may_see_all_imports(user) -> bool:
    """Who imported what is visible to admins and owners; others see only their own imports."""
    return user_can(user, Capability.MANAGE_RECORDS)


def may_open_import_job(user, job) -> bool:
    """An import's page: its importer, and admins and owners (who may see everyone's)."""
    if not may_import(user, job.kind):
        return False
    return job.created_by_id == user.pk or may_see_all_imports(user)
