"""What a customer user may do in the portal: their membership, their permissions from their
role, their companies. The portal registers ``customer_user_grant`` with ``core.scope`` so
every ``restrict(scope)`` knows a customer user's companies without importing the portal."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import get_public_schema_name

from core.policies import Capability, user_can
from core.scope import CustomerUserGrant, scope_for
from customers.overview import customer_family_ids

from .models import ADMIN_ONLY_PERMISSIONS, Membership, PortalPermission, PortalRole, PortalSection


def membership_of(user) -> Membership | None:
    """The user's portal membership (cached on the user object), or None for staff."""
    if user is None or not user.is_authenticated or getattr(user, "role", ""):
        return None  # staff (who have a role) are never customer users
    if connection.schema_name == get_public_schema_name():
        return None  # platform operators; there are no companies in the public schema
    if not hasattr(user, "_membership_cache"):
        user._membership_cache = (
            Membership.objects.select_related("customer", "permission_set")
            .filter(user=user)
            .first()
        )
    return user._membership_cache


def is_customer_user(user) -> bool:
    return membership_of(user) is not None


def permissions_of(membership: Membership) -> frozenset[str]:
    """What a customer user may do in the portal, from their role."""
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
        # A set saved before sets were refused admin-only permissions still grants none.
        granted = frozenset(membership.permission_set.permissions or []) & everything
        return granted - ADMIN_ONLY_PERMISSIONS
    return frozenset()


def access_state_of(membership: Membership) -> str:
    """ "active", "suspended" or "deactivated" for a customer user's company."""
    company = membership.customer
    if company.deleted_at is not None or company.portal_access == "deactivated":
        return "deactivated"
    return company.portal_access


def customer_user_grant(user) -> CustomerUserGrant | None:
    """The scope resolver: a customer user's company, its sub-accounts and permissions."""
    membership = membership_of(user)
    if membership is None:
        return None
    state = access_state_of(membership)
    if state == "deactivated":
        return CustomerUserGrant(
            company_id=membership.customer_id,
            company_ids=frozenset(),
            permissions=frozenset(),
            access_state=state,
        )
    return CustomerUserGrant(
        company_id=membership.customer_id,
        company_ids=frozenset(customer_family_ids(membership.customer_id)),
        permissions=permissions_of(membership),
        access_state=state,
    )


def portal_permissions(user) -> frozenset[str]:
    return scope_for(user).portal_permissions


def portal_can(user, permission: str) -> bool:
    return scope_for(user).portal_can(permission)


def portal_access_state(user) -> str:
    """ "active", "suspended" or "deactivated" for a customer user's company; "" for staff."""
    return scope_for(user).portal_access


def assignable_portal_roles(actor) -> list[tuple[str, str]]:
    """Console admins may create customer admins; a customer admin never can."""
    if user_can(actor, Capability.MANAGE_RECORDS):
        return list(PortalRole.choices)
    if portal_can(actor, PortalPermission.MANAGE_USERS):
        return [choice for choice in PortalRole.choices if choice[0] != PortalRole.ADMIN]
    return []
