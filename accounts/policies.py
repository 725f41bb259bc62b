"""Who may see the team, and the staff-account rules. Roles and capabilities live in
``core.policies`` (``user_can(user, Capability.X)``), the portal's rules in
``portal.policies``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from core.policies import Capability, user_can
from core.querysets import parse_id
from core.scope import scope_for

from .models import User


def staff_visible_to(user: User, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """Staff accounts of this tenant that ``user`` may list: every console user sees the team."""
    queryset = User.objects.all() if queryset is None else queryset
    if not user_can(user, Capability.VIEW_CONSOLE):
        return queryset.none()
    return queryset.exclude(role="")


def access_staff_member(scope, pk) -> User:
    """A staff user of this tenant by id, or the same 404 whether missing or not staff."""
    pk = parse_id(pk)
    member = User.objects.exclude(role="").filter(pk=pk).first() if scope.is_staff else None
    if member is None:
        raise Http404("No such team member.")
    return member


def may_see_deleted(user: User | None) -> bool:
    """Soft-deleted records are visible (to restore or purge them) only to admins and owners."""
    return scope_for(user).may_see_deleted
