"""Dunning: issued invoices past their due date become overdue (one notice each), customers
overdue longer than the tenant allows have their portal suspended and their subscription
marked past due, and both are lifted once the overdue balance is paid."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.services import save_with_history
from core.tasks import defer_after_commit

from ..models import (
    BillingProfile,
    BillingSettings,
    Invoice,
    InvoiceStatus,
    Subscription,
    SubscriptionStatus,
)
from .subscriptions import subscription_set_status

# What other apps do when dunning suspends a company's portal or lifts the suspension (the
# portal: shows the company's users why). They register from their AppConfig.ready();
# reactions run in the suspension's transaction.
# on_portal_suspended: reaction(customer, *, reason); on_portal_restored: reaction(customer_id)
on_portal_suspended: list[Callable[..., None]] = []
on_portal_restored: list[Callable[..., None]] = []


def register(reactions: list, reaction: Callable[..., None]) -> None:
    if reaction not in reactions:
        reactions.append(reaction)


def mark_overdue(*, today: date | None = None, notify: bool = True) -> int:
    """Issued invoices past their due date become overdue; each billing contact gets one
    notice. Returns how many changed."""
    from ..tasks import send_invoice_email

    today = today or timezone.localdate()
    count = 0
    due = Invoice.objects.filter(
        status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID], due_date__lt=today
    ).values_list("pk", flat=True)
    for invoice_id in list(due.iterator(chunk_size=2000)):
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
            if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID):
                continue
            invoice.status = InvoiceStatus.OVERDUE
            if notify and invoice.billing_email and invoice.overdue_notice_sent_at is None:
                invoice.overdue_notice_sent_at = timezone.now()
                defer_after_commit(send_invoice_email, invoice_id=invoice.pk, kind="overdue")
            save_with_history(
                invoice, actor=None, reason=f"Overdue: due {invoice.due_date:%Y-%m-%d}"
            )
            count += 1
    return count


def suspend_overdue_customers(*, today: date | None = None) -> int:
    """Suspend the portal of every customer with an invoice overdue longer than the tenant
    allows. Returns how many were suspended."""
    today = today or timezone.localdate()
    days = BillingSettings.current().suspend_after_days
    if not days:
        return 0
    cutoff = today - timedelta(days=days)
    overdue = (
        Invoice.objects.filter(
            status=InvoiceStatus.OVERDUE,
            due_date__lte=cutoff,
            customer__portal_access="active",
            customer__deleted_at__isnull=True,
        )
        .order_by("customer_id", "due_date")
        .distinct("customer_id")
        .values_list("customer_id", "number", "due_date")
    )
    count = 0
    for customer_id, number, due_date in list(overdue):
        with transaction.atomic():
            _suspend(customer_id, number, (today - due_date).days)
        count += 1
    return count


def _suspend(customer_id: int, number: str, days_overdue: int) -> None:
    from customers.models import Customer, PortalAccess

    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.portal_access != PortalAccess.ACTIVE:
        return
    why = f"Invoice {number} is {days_overdue} days overdue."
    customer.portal_access = PortalAccess.SUSPENDED
    save_with_history(customer, actor=None, reason=f"Portal suspended: {why}")
    for reaction in on_portal_suspended:
        reaction(customer, reason=f"{why} Access returns as soon as the payment is recorded.")
    billing, _ = BillingProfile.objects.get_or_create(customer=customer)
    billing.suspended_for_nonpayment = True
    billing.save(update_fields=["suspended_for_nonpayment"])
    for subscription in Subscription.objects.filter(
        customer=customer, status=SubscriptionStatus.ACTIVE
    ):
        subscription_set_status(
            subscription=subscription,
            status=SubscriptionStatus.PAST_DUE,
            reason=f"Past due: {why}",
            only_from=[SubscriptionStatus.ACTIVE],
        )


def lift_suspension_if_settled(*, customer_id: int, actor: User | None) -> bool:
    """Lift a suspension this module imposed once no overdue balance remains."""
    from customers.models import Customer, PortalAccess

    billing = BillingProfile.objects.filter(customer_id=customer_id).first()
    if billing is None or not billing.suspended_for_nonpayment:
        return False
    if Invoice.objects.filter(customer_id=customer_id, status=InvoiceStatus.OVERDUE).exists():
        return False
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.portal_access == PortalAccess.SUSPENDED:
        customer.portal_access = PortalAccess.ACTIVE
        save_with_history(
            customer, actor=actor, reason="Portal access restored: overdue balance paid"
        )
    for reaction in on_portal_restored:
        reaction(customer_id)
    billing.suspended_for_nonpayment = False
    billing.save(update_fields=["suspended_for_nonpayment"])
    for subscription in Subscription.objects.filter(
        customer_id=customer_id, status=SubscriptionStatus.PAST_DUE
    ):
        subscription_set_status(
            subscription=subscription,
            status=SubscriptionStatus.ACTIVE,
            actor=actor,
            reason="Active again: the overdue balance is paid",
            only_from=[SubscriptionStatus.PAST_DUE],
        )
    return True
