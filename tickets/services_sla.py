"""Writes to service levels: policies (admins), a company's own policy, and the breach check
the worker runs every minute (each breach recorded once, with a notice to whoever works the
ticket)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from core.notifications import NotificationKind, staff_with
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for
from core.services import save_with_history
from customers.models import Customer

from . import sla
from .models import Ticket
from .models_sla import PRIORITIES, CustomerSla, SlaPolicy
from .querysets import OPEN_STATUSES
from .services import _tell_staff

MAX_TARGET_MINUTES = 366 * 24 * 60
BREACH_BATCH = 500


def _check_admin(actor: User) -> None:
    if not scope_for(actor).can(Capability.MANAGE_RECORDS):
        raise PermissionDenied("Only admins change service levels.")


def policy_save(*, actor: User, policy_id=None, data: dict[str, Any]) -> SlaPolicy:
    """Create (``policy_id`` None) or change a policy; making it the default takes the
    default from the one before."""
    _check_admin(actor)
    with transaction.atomic():
        if policy_id is None:
            policy = SlaPolicy()
        else:
            policy = access(
                SlaPolicy.objects.select_for_update(), scope_for(actor), policy_id, "change"
            )
        for clock in ("first_response", "resolution"):
            for priority in PRIORITIES:
                value = data.get(f"{clock}_{priority}")
                if value is not None and not 0 < int(value) <= MAX_TARGET_MINUTES:
                    raise ValidationError({f"{clock}_{priority}": "Between 1 minute and a year."})
        holidays = []
        for day in data.get("holidays") or []:
            try:
                holidays.append(datetime.date.fromisoformat(str(day)).isoformat())
            except ValueError:
                raise ValidationError({"holidays": f"{day} is not a date (YYYY-MM-DD)."}) from None
        data = {**data, "holidays": sorted(set(holidays))}
        data["business_days"] = sorted({int(d) for d in data.get("business_days") or []})
        for field, value in data.items():
            setattr(policy, field, value)
        if policy.is_default:
            for other in (
                SlaPolicy.objects.select_for_update().filter(is_default=True).exclude(pk=policy.pk)
            ):
                other.is_default = False
                save_with_history(other, actor=actor, reason=f"{policy.name} became the default")
        save_with_history(policy, actor=actor, reason="Created" if policy_id is None else "Changed")
    return policy


def customer_policy_set(*, actor: User, customer_id, policy_id) -> CustomerSla | None:
    """A company's own policy (``policy_id`` None: back to the default)."""
    _check_admin(actor)
    with transaction.atomic():
        customer = access(Customer.objects.all(), scope_for(actor), customer_id, "change")
        current = CustomerSla.objects.select_for_update().filter(customer=customer).first()
        if policy_id in (None, ""):
            if current is not None:
                current._history_user = actor
                current._change_reason = "Back to the default policy"
                current.delete()
            return None
        try:
            policy = access(SlaPolicy.objects.all(), scope_for(actor), policy_id)
        except Http404:
            raise ValidationError({"policy": "Choose a policy from the list."}) from None
        if current is not None and current.policy_id == policy.pk:
            return current
        current = current or CustomerSla(customer=customer)
        current.policy = policy
        save_with_history(current, actor=actor, reason=f"SLA policy: {policy}")
        return current


def check_breaches(now: datetime.datetime | None = None) -> int:
    """Record every open ticket that has just missed a target and tell whoever works it."""
    now = now or timezone.now()
    told = 0
    workers = list(staff_with(Capability.EDIT_RECORDS))  # read once for every late ticket
    for clock, condition, field in (
        ("first response", sla.breached_first_response(now), "first_response_breached_at"),
        ("resolution", sla.breached_resolution(now), "resolution_breached_at"),
    ):
        with transaction.atomic():
            late = list(
                Ticket.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(condition, status__in=OPEN_STATUSES)
                .select_related("customer", "assignee")[:BREACH_BATCH]
            )
            Ticket.objects.filter(pk__in=[t.pk for t in late]).update(**{field: now})
            for ticket in late:
                _tell_staff(
                    ticket,
                    None,
                    f"{ticket.reference} missed its {clock} target ({ticket.customer})",
                    kind=NotificationKind.SLA_BREACHED,
                    workers=workers,
                )
            told += len(late)
    return told
