"""Plans and subscriptions: subscribing, plan and seat changes (a new term each),
cancelling, trials ending, and every other change of a subscription's status."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.services import save_with_history

from ..models import Plan, PlanTier, Subscription, SubscriptionStatus, SubscriptionTerm
from ..selectors import billed_until


def require_live_customer(customer) -> None:
    """Refuse billing records for a deleted customer."""
    if customer.deleted_at is not None:
        raise ValidationError({"customer": "That customer has been deleted."})


@transaction.atomic
def plan_save(*, plan: Plan, tiers: list[dict], actor: User | None) -> Plan:
    """Create or edit a plan with its usage tiers (replaced as a whole)."""
    save_with_history(plan, actor=actor, reason="Edited" if plan.pk else "Created")
    plan.tiers.all().delete()
    PlanTier.objects.bulk_create(PlanTier(plan=plan, **tier) for tier in tiers)
    return plan


@transaction.atomic
def subscription_create(
    *,
    customer,
    plan: Plan,
    seats: int,
    start_date: date,
    anchor_day: int = 1,
    trial_end: date | None = None,
    actor: User | None,
) -> Subscription:
    require_live_customer(customer)
    if Subscription.objects.filter(customer=customer).live().exists():
        raise ValidationError(
            {"customer": f"{customer.name} already has a subscription: change its plan instead."}
        )
    subscription = Subscription(
        customer=customer,
        plan=plan,
        seats=seats,
        start_date=start_date,
        anchor_day=anchor_day,
        trial_end=trial_end,
        status=SubscriptionStatus.TRIAL if trial_end else SubscriptionStatus.ACTIVE,
    )
    save_with_history(subscription, actor=actor, reason=f"Subscribed to {plan}")
    SubscriptionTerm.objects.create(
        subscription=subscription, plan=plan, seats=seats, effective_from=start_date
    )
    return subscription


@transaction.atomic
def subscription_change(
    *, subscription_id: int, plan: Plan, seats: int, effective_from: date, actor: User | None
) -> Subscription:
    """A plan or seat change from ``effective_from``: the next invoice bills each day at what
    was in force that day."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    if subscription.status == SubscriptionStatus.CANCELLED:
        raise ValidationError("This subscription is cancelled; start a new one.")
    if effective_from < subscription.start_date:
        raise ValidationError(
            {"effective_from": "A change cannot take effect before the subscription started."}
        )
    invoiced_until = billed_until(subscription.customer_id)
    if invoiced_until and effective_from <= invoiced_until:
        raise ValidationError(
            {
                "effective_from": f"The period up to {invoiced_until:%Y-%m-%d} is already "
                "invoiced; choose a later day (or void that invoice first)."
            }
        )
    if plan == subscription.plan and seats == subscription.seats:
        raise ValidationError("Nothing changes: pick another plan or number of seats.")
    reason = []
    if plan != subscription.plan:
        reason.append(f"plan {subscription.plan} → {plan}")
    if seats != subscription.seats:
        reason.append(f"seats {subscription.seats} → {seats}")
    subscription.plan, subscription.seats = plan, seats
    save_with_history(
        subscription,
        actor=actor,
        reason=f"Changed {', '.join(reason)} from {effective_from:%Y-%m-%d} (prorated by day)",
    )
    SubscriptionTerm.objects.filter(
        subscription=subscription, effective_from__gte=effective_from
    ).delete()
    SubscriptionTerm.objects.create(
        subscription=subscription, plan=plan, seats=seats, effective_from=effective_from
    )
    return subscription


@transaction.atomic
def subscription_cancel(*, subscription_id: int, on: date, actor: User | None) -> Subscription:
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    if subscription.status == SubscriptionStatus.CANCELLED:
        raise ValidationError("This subscription is already cancelled.")
    if on < subscription.start_date:
        raise ValidationError({"on": "It cannot end before it started."})
    subscription.status = SubscriptionStatus.CANCELLED
    subscription.cancelled_on = on
    save_with_history(subscription, actor=actor, reason=f"Cancelled, last day {on:%Y-%m-%d}")
    return subscription


@transaction.atomic
def subscription_set_status(
    *,
    subscription: Subscription,
    status: str,
    actor: User | None = None,
    reason: str,
    only_from: Collection[str] | None = None,
) -> Subscription:
    """Move a subscription to ``status`` (past due while its customer is suspended for an
    overdue invoice, active again once paid), recorded in its history with ``actor`` and
    ``reason``. The row is locked and read afresh first; if it already has ``status`` (or,
    with ``only_from``, no longer has one of those statuses) nothing is written, so a job
    that runs twice changes nothing the second time. Returns the subscription as stored.

    Only the status is saved (no full_clean): a nightly job must not fail on a rule about
    other fields, e.g. a plan whose seat limit was lowered after the customer subscribed."""
    if status not in SubscriptionStatus.values:
        raise ValidationError({"status": f"{status!r} is not a subscription status."})
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.status == status or (only_from is not None and locked.status not in only_from):
        return locked
    locked.status = status
    locked._history_user = actor
    locked._change_reason = reason
    locked.save(update_fields=["status", "updated_at"])
    return locked


def end_trials(*, today: date | None = None) -> int:
    """Trials whose last free day has passed become active (recorded in history)."""
    today = today or timezone.localdate()
    ended = 0
    for subscription_id in list(
        Subscription.objects.filter(
            status=SubscriptionStatus.TRIAL, trial_end__lt=today
        ).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
            if subscription.status != SubscriptionStatus.TRIAL:
                continue
            subscription.status = SubscriptionStatus.ACTIVE
            save_with_history(
                subscription,
                actor=None,
                reason=f"Trial ended {subscription.trial_end:%Y-%m-%d}; billed from the next day",
            )
            ended += 1
    return ended
