"""Reads of customer users, scoped by the policy layer."""

from __future__ import annotations

from django.db.models import Max, Q

from core.querysets import ScopedQuerySet


class MembershipQuerySet(ScopedQuerySet):
    """Customer users of the companies a scope reaches (unlimited staff: every live
    company's; a customer user: their company's and its sub-accounts')."""

    scope_paths = ("customer",)
    portal_actions = {"view": "", "change": "manage_users"}

    def for_list(self) -> MembershipQuerySet:
        """What a list of users prints: the user, the permission set, the last sign-in."""
        return self.select_related("user", "permission_set").annotate(
            last_sign_in=Max(
                "user__sign_in_events__created_at",
                filter=Q(user__sign_in_events__succeeded=True),
            )
        )


class PermissionSetQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    portal_actions = {"view": "", "change": "manage_users"}


class JoinRequestQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    portal_actions = {"view": "view_users", "change": "manage_users"}
