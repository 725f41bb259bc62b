"""One scope per request: who is asking, and the only input to what they may see.

``scope_for(user)`` is computed once per user object (so once per request for
``request.user``) and every queryset's ``restrict(scope, action)`` reads nothing else.
Apps that know more about a user register a resolver here (the portal: a customer user's
companies and permissions; customers: the customers a staff user is limited to), so this
module imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from django.db import connection
from django_tenants.utils import get_public_schema_name

from .policies import Capability, capabilities_of

Action = Literal["view", "change", "delete"]


@dataclass(frozen=True)
class CustomerUserGrant:
    """What the portal resolver tells about a customer user."""

    company_id: int
    company_ids: frozenset[int]
    permissions: frozenset[str]
    access_state: str = "active"  # "active", "suspended" or "deactivated"


@dataclass(frozen=True)
class Scope:
    """Who is asking. Staff have capabilities (from their role) and, when an owner limited
    them, ``customer_ids``; a customer user has ``company_ids`` (their company and its
    sub-accounts) and portal permissions. Everyone else sees nothing."""

    user_id: int | None = None
    role: str = ""
    capabilities: frozenset[Capability] = frozenset()
    customer_ids: frozenset[int] | None = None
    company_id: int | None = None
    company_ids: frozenset[int] | None = None
    portal_permissions: frozenset[str] = field(default_factory=frozenset)
    portal_access: str = ""  # a customer user's company: "active", "suspended", "deactivated"

    @property
    def is_staff(self) -> bool:
        return Capability.VIEW_CONSOLE in self.capabilities

    @property
    def is_customer_user(self) -> bool:
        return self.company_ids is not None

    @property
    def is_limited(self) -> bool:
        """A staff user the owner limited to chosen teams or customers."""
        return self.is_staff and self.customer_ids is not None

    @property
    def may_see_deleted(self) -> bool:
        """Soft-deleted records are visible (to restore or purge them) to admins and owners."""
        return Capability.MANAGE_RECORDS in self.capabilities

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def portal_can(self, permission: str) -> bool:
        return permission in self.portal_permissions

    @property
    def reachable_customer_ids(self) -> frozenset[int] | None:
        """The customers this scope is bounded to; ``None`` means every customer of the
        tenant (unlimited staff). Empty for anyone who sees nothing."""
        if self.is_staff:
            return self.customer_ids
        if self.is_customer_user:
            return self.company_ids
        return frozenset()

    def reaches_customer(self, customer_id: int | None) -> bool:
        bound = self.reachable_customer_ids
        if bound is None:
            return self.is_staff
        return customer_id in bound


NO_ONE = Scope()

CustomerUserResolver = Callable[[object], CustomerUserGrant | None]
StaffLimitResolver = Callable[[object], frozenset[int] | None]
_customer_user_resolvers: list[CustomerUserResolver] = []
_staff_limit_resolvers: list[StaffLimitResolver] = []


def register_customer_user_resolver(resolver: CustomerUserResolver) -> None:
    """The portal tells, for a user without a staff role, which companies they belong to."""
    if resolver not in _customer_user_resolvers:
        _customer_user_resolvers.append(resolver)


def register_staff_limit_resolver(resolver: StaffLimitResolver) -> None:
    """Customers tells which customers a limited staff user may reach (``None``: all)."""
    if resolver not in _staff_limit_resolvers:
        _staff_limit_resolvers.append(resolver)


def _build_scope(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ONE
    if connection.schema_name == get_public_schema_name():
        return NO_ONE  # platform operators: no tenant records in the public schema
    capabilities = capabilities_of(user)
    if capabilities:
        limit = None
        for resolver in _staff_limit_resolvers:
            limit = resolver(user)
            if limit is not None:
                break
        return Scope(
            user_id=user.pk,
            role=user.role,
            capabilities=capabilities,
            customer_ids=frozenset(limit) if limit is not None else None,
        )
    if getattr(user, "role", ""):
        return NO_ONE
    for resolver in _customer_user_resolvers:
        grant = resolver(user)
        if grant is not None:
            return Scope(
                user_id=user.pk,
                company_id=grant.company_id,
                company_ids=frozenset(grant.company_ids),
                portal_permissions=frozenset(grant.permissions),
                portal_access=grant.access_state,
            )
    return NO_ONE


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (one request's ``request.user``)."""
    if user is None:
        return NO_ONE
    cached = getattr(user, "_scope_cache", None)
    schema = connection.schema_name
    if cached is not None and cached[0] == schema:
        return cached[1]
    scope = _build_scope(user)
    if getattr(user, "is_authenticated", False):
        user._scope_cache = (schema, scope)
    return scope


def forget_scope(user) -> None:
    """After a service changed what ``user`` may see (role, limits, membership)."""
    for name in ("_scope_cache", "_membership_cache", "_company_ids_cache"):
        if hasattr(user, name):
            delattr(user, name)
