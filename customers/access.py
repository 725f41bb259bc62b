"""Which customers a staff user may reach, and the owner's writes that decide it.

``staff_customer_limit`` is registered with ``core.scope``: every ``restrict(scope)`` then
bounds a limited staff user to the customers of their teams and direct assignments, each
with its sub-accounts."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts.models import CustomerAccess, User
from core.policies import Capability, user_can
from core.scope import forget_scope

from .models import MAX_PARENT_DEPTH, Customer
from .teams import StaffCustomerAssignment, Team


def staff_customer_limit(user) -> frozenset[int] | None:
    """``None`` for a staff user who sees every customer; else the ids they may reach (one
    recursive query: their teams' and direct customers, and every sub-account below)."""
    if getattr(user, "customer_access", CustomerAccess.ALL) != CustomerAccess.ASSIGNED:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE reached(id, depth) AS (
                SELECT tc.customer_id, 0
                  FROM customers_team_customers tc
                  JOIN customers_team_members tm ON tm.team_id = tc.team_id
                 WHERE tm.user_id = %(user)s
                UNION
                SELECT a.customer_id, 0 FROM customers_staffcustomerassignment a
                 WHERE a.user_id = %(user)s
                UNION
                SELECT c.id, r.depth + 1 FROM customers_customer c
                  JOIN reached r ON c.parent_id = r.id
                 WHERE r.depth < %(depth)s
            )
            SELECT DISTINCT id FROM reached
            """,
            {"user": user.pk, "depth": MAX_PARENT_DEPTH},
        )
        return frozenset(row[0] for row in cursor.fetchall())


def _require_owner(actor: User) -> None:
    if not user_can(actor, Capability.MANAGE_TENANT):
        raise ValidationError("Only the workspace owner decides who sees which customers.")


def _clean_members(members: Iterable[User]) -> list[User]:
    members = list(members)
    if any(not member.role for member in members):
        raise ValidationError({"members": "Only staff users can be team members."})
    return members


@transaction.atomic
def team_save(
    *,
    team: Team | None,
    name: str,
    description: str,
    members: Iterable[User],
    customers: Iterable[Customer],
    actor: User,
) -> Team:
    """Create (``team=None``) or change a team; its history names the actor."""
    _require_owner(actor)
    members = _clean_members(members)
    customers = list(customers)
    if any(customer.deleted_at is not None for customer in customers):
        raise ValidationError({"customers": "A deleted customer cannot be assigned."})
    name = " ".join(name.split())
    clash = Team.objects.filter(name__iexact=name)
    if team is not None:
        team = Team.objects.select_for_update().get(pk=team.pk)
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": "A team with this name already exists."})
    creating = team is None
    team = team or Team()
    team.name, team.description = name, description
    team._history_user = actor
    team._change_reason = "Team created" if creating else "Team changed"
    team.full_clean()
    team.save()
    team.members.set(members)
    team.customers.set(customers)
    for member in members:
        forget_scope(member)
    return team


@transaction.atomic
def team_delete(*, team: Team, actor: User) -> None:
    _require_owner(actor)
    team._history_user = actor
    team._change_reason = "Team deleted"
    team.delete()


@transaction.atomic
def staff_customer_access_set(
    *,
    member: User,
    access: str,
    teams: Iterable[Team],
    customers: Iterable[Customer],
    actor: User,
) -> User:
    """Limit a staff user to their teams' and chosen customers (or lift the limit), their
    team memberships and direct assignments included; recorded in the user's history."""
    _require_owner(actor)
    given, member = member, User.objects.select_for_update().get(pk=member.pk)
    if not member.role:
        raise ValidationError("Only staff users have customer access settings.")
    if access not in CustomerAccess.values:
        raise ValidationError({"access": "Choose all customers or only assigned ones."})
    if access == CustomerAccess.ASSIGNED and member.role == "owner":
        raise ValidationError({"access": "An owner always sees every customer."})
    customers = list(customers)
    if any(customer.deleted_at is not None for customer in customers):
        raise ValidationError({"customers": "A deleted customer cannot be assigned."})
    teams = list(teams)
    if member.customer_access != access:
        member.customer_access = access
        member._history_user = actor
        member._change_reason = (
            "Limited to assigned customers"
            if access == CustomerAccess.ASSIGNED
            else "Sees all customers"
        )
        member.save(update_fields=["customer_access"])
    current_teams = set(member.teams.values_list("pk", flat=True))
    wanted_teams = {team.pk for team in teams}
    for team in Team.objects.filter(pk__in=current_teams ^ wanted_teams):
        team._history_user = actor
        team._change_reason = f"Membership of {member} changed"
        if team.pk in wanted_teams:
            team.members.add(member)
        else:
            team.members.remove(member)
    wanted = {customer.pk for customer in customers}
    current = set(member.customer_assignments.values_list("customer_id", flat=True))
    for assignment in member.customer_assignments.filter(customer_id__in=current - wanted):
        assignment._history_user = actor
        assignment._change_reason = "Assignment removed"
        assignment.delete()
    for customer_id in wanted - current:
        assignment = StaffCustomerAssignment(user=member, customer_id=customer_id)
        assignment._history_user = actor
        assignment._change_reason = "Customer assigned"
        assignment.save()
    given.customer_access = member.customer_access  # the caller's object reads the same
    forget_scope(given)
    return member
