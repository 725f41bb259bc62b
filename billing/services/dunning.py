"""Dunning: issued invoices past their due date become overdue (one notice each); a customer
with an invoice overdue longer than the limit has its account suspended (through
customers.account_status) and its subscription marked past due; both are lifted as soon as
the cause is gone — no invoice overdue past the limit any more, whether by payment, credit note
or void — even with younger overdue invoices still due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.formats import count_text, date_text, money_text
from core.notifications import NotificationKind, notify, staff_with
from core.policies import Capability
from core.services import save_with_history
from core.tasks import defer_after_commit

from ..models import (
    OPEN_INVOICE,
    BillingProfile,
    BillingSettings,
    DunningNotice,
    DunningPolicy,
    DunningStage,
    Invoice,
    InvoiceStatus,
    Subscription,
    SubscriptionStatus,
)
from .subscriptions import subscription_set_status


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
    if count:
        tell_billing_staff(
            kind=NotificationKind.INVOICES_OVERDUE,
            message=f"{count_text(count)} invoice{'s' if count != 1 else ''} fell overdue on "
            f"{date_text(today)}.",
            url=reverse("billing:invoice_list") + "?status=overdue",
        )
    if notify:
        send_dunning_notices(today=today)
    return count


def tell_billing_staff(*, kind: NotificationKind, message: str, url: str) -> None:
    notify(staff_with(Capability.MANAGE_BILLING), kind=kind, message=message, url=url)


DEFAULT_REMINDER_DAYS = 3
DEFAULT_FINAL_NOTICE_DAYS = 14


@dataclass(frozen=True)
class Policy:
    """The stages for one customer (days; 0: the stage is off)."""

    reminder_days_before_due: int
    final_notice_after_days: int
    suspend_after_days: int


def _policies(customer_id: int | None = None) -> tuple[Policy, dict[int, Policy]]:
    """The tenant's policy and the customer overrides (all of them, or ``customer_id``'s
    alone), in two queries."""
    rows = DunningPolicy.objects.all()
    if customer_id is not None:
        rows = rows.filter(Q(customer__isnull=True) | Q(customer_id=customer_id))
    rows = {row.customer_id: row for row in rows}
    tenant_row = rows.pop(None, None)

    def pick(row, name: str, fallback: int) -> int:
        value = getattr(row, name) if row is not None else None
        return fallback if value is None else value

    tenant = Policy(
        reminder_days_before_due=pick(
            tenant_row, "reminder_days_before_due", DEFAULT_REMINDER_DAYS
        ),
        final_notice_after_days=pick(
            tenant_row, "final_notice_after_days", DEFAULT_FINAL_NOTICE_DAYS
        ),
        suspend_after_days=pick(
            tenant_row, "suspend_after_days", BillingSettings.current().suspend_after_days
        ),
    )
    overrides = {
        customer_id: Policy(
            **{name: pick(row, name, getattr(tenant, name)) for name in Policy.__annotations__}
        )
        for customer_id, row in rows.items()
    }
    return tenant, overrides


def policy_for(customer_id: int | None) -> Policy:
    tenant, overrides = _policies(customer_id)
    return overrides.get(customer_id, tenant)


def suspend_after_days(customer_id: int | None = None) -> int:
    """Days past due after which an unpaid invoice suspends its company (0: never): the
    customer's override, else the tenant's."""
    return policy_for(customer_id).suspend_after_days


@transaction.atomic
def dunning_policy_save(
    *, customer_id: int | None, data: dict, actor: User | None
) -> DunningPolicy:
    """The tenant's policy (``customer_id=None``) or a customer's override; an override left
    all empty is removed (the customer follows the tenant again)."""
    policy = DunningPolicy.objects.select_for_update().filter(
        customer_id=customer_id
    ).first() or DunningPolicy(customer_id=customer_id)
    names = ("reminder_days_before_due", "final_notice_after_days", "suspend_after_days")
    for name in names:
        if name in data:
            setattr(policy, name, data[name])
    policy.full_clean()
    if customer_id is not None and all(getattr(policy, n) is None for n in names):
        if policy.pk:
            policy._history_user = actor
            policy.delete()
        return policy
    reason = "Dunning override saved" if customer_id else "Dunning policy saved"
    return save_with_history(policy, actor=actor, reason=reason)


def send_dunning_notices(*, today: date | None = None) -> int:
    """Reminders before the due date and final notices past it, each at most once per invoice
    (to its billing email, after commit). Returns how many were sent."""
    today = today or timezone.localdate()
    tenant, overrides = _policies()
    policies = [tenant, *overrides.values()]
    sent = 0
    longest_reminder = max(p.reminder_days_before_due for p in policies)
    if longest_reminder:
        upcoming = Invoice.objects.filter(
            status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID],
            due_date__gte=today,
            due_date__lte=today + timedelta(days=longest_reminder),
        )
        for invoice in upcoming.exclude(billing_email="").exclude(
            dunning_notices__stage=DunningStage.REMINDER
        ):
            days = overrides.get(invoice.customer_id, tenant).reminder_days_before_due
            if days and (invoice.due_date - today).days <= days:
                sent += _notice(invoice, DunningStage.REMINDER, today)
    finals = [p.final_notice_after_days for p in policies if p.final_notice_after_days]
    if finals:
        late = Invoice.objects.filter(
            status__in=OPEN_INVOICE, due_date__lte=today - timedelta(days=min(finals))
        )
        for invoice in late.exclude(billing_email="").exclude(
            dunning_notices__stage=DunningStage.FINAL
        ):
            days = overrides.get(invoice.customer_id, tenant).final_notice_after_days
            if days and (today - invoice.due_date).days >= days:
                sent += _notice(invoice, DunningStage.FINAL, today)
    return sent


NOTICE_SUBJECTS = {
    DunningStage.REMINDER: "Invoice {number} is due on {due:%B %-d, %Y}",
    DunningStage.FINAL: "Final notice: invoice {number} is {days} days overdue",
}


def _notice(invoice: Invoice, stage: str, today: date) -> int:
    from django.db import IntegrityError
    from django.template.loader import render_to_string

    from accounts.services import queue_email

    policy = policy_for(invoice.customer_id)
    try:
        with transaction.atomic():
            DunningNotice.objects.create(
                invoice=invoice, stage=stage, sent_to=invoice.billing_email
            )
            days = (today - invoice.due_date).days
            queue_email(
                subject=NOTICE_SUBJECTS[stage].format(
                    number=invoice.number, due=invoice.due_date, days=days
                ),
                body=render_to_string(
                    "billing/email/dunning_message.txt",
                    {
                        "invoice": invoice,
                        "stage": stage,
                        "days_overdue": days,
                        "suspend_after_days": policy.suspend_after_days,
                    },
                ),
                to=[invoice.billing_email],
            )
    except IntegrityError:  # sent by a concurrent run
        return 0
    return 1


@dataclass(frozen=True)
class OverdueState:
    """What a company owes past its due dates, as of ``today``: every overdue invoice, and
    those past the suspension limit (the ones that suspend it, and whose settlement lifts it)."""

    limit_days: int
    overdue: list[Invoice]
    past_limit: list[Invoice]

    @property
    def overdue_total(self) -> Decimal:
        return sum((invoice.balance for invoice in self.overdue), Decimal("0"))

    @property
    def past_limit_total(self) -> Decimal:
        return sum((invoice.balance for invoice in self.past_limit), Decimal("0"))

    @property
    def currencies(self) -> str:
        return ", ".join(sorted({invoice.currency for invoice in self.overdue}))


def overdue_state(customer_id: int, *, today: date | None = None) -> OverdueState:
    """Always current: open invoices past their due date (whether or not the nightly job has
    marked them overdue yet), oldest first; one query."""
    today = today or timezone.localdate()
    days = suspend_after_days(customer_id)
    overdue = list(
        Invoice.objects.filter(customer_id=customer_id, status__in=OPEN_INVOICE)
        .filter(Q(status=InvoiceStatus.OVERDUE) | Q(due_date__lt=today))
        .order_by("due_date", "pk")
    )
    cutoff = today - timedelta(days=days) if days else None
    past_limit = [i for i in overdue if cutoff is not None and i.due_date <= cutoff]
    return OverdueState(limit_days=days, overdue=overdue, past_limit=past_limit)


def suspension_reason(days: int) -> str:
    return (
        f"Invoices more than {days} days overdue are unpaid. Access returns as soon as they "
        "are settled."
    )


def suspend_overdue_customers(*, today: date | None = None) -> int:
    """Suspend the account of every active customer with an invoice overdue longer than the
    limit, and lift the suspensions dunning imposed whose cause is gone (a safety net: payments,
    credit notes and voids lift them at once). Returns how many were suspended."""
    today = today or timezone.localdate()
    for customer_id in list(
        BillingProfile.objects.filter(suspended_for_nonpayment=True).values_list(
            "customer_id", flat=True
        )
    ):
        with transaction.atomic():
            lift_suspension_if_settled(customer_id=customer_id, actor=None, today=today)
    tenant, overrides = _policies()
    limits = [p.suspend_after_days for p in (tenant, *overrides.values()) if p.suspend_after_days]
    if not limits:
        return 0
    cutoff = today - timedelta(days=min(limits))  # each candidate is checked with its own
    candidates = (
        Invoice.objects.filter(
            status__in=OPEN_INVOICE,
            due_date__lte=cutoff,
            customer__portal_access="active",
            customer__deleted_at__isnull=True,
        )
        .order_by("customer_id")
        .distinct("customer_id")
        .values_list("customer_id", flat=True)
    )
    count = 0
    for customer_id in list(candidates):
        with transaction.atomic():
            count += _suspend(customer_id, today=today)
    return count


def _suspend(customer_id: int, *, today: date) -> int:
    from customers.account_status import account_suspend
    from customers.models import Customer, PortalAccess

    customer = Customer.objects.select_for_update().get(pk=customer_id)
    state = overdue_state(customer_id, today=today)
    if customer.portal_access != PortalAccess.ACTIVE or not state.past_limit:
        return 0
    why = suspension_reason(state.limit_days)
    account_suspend(customer_id=customer_id, reason=why, actor=None)
    billing, _ = BillingProfile.objects.get_or_create(customer=customer)
    billing.suspended_for_nonpayment = True
    billing.save(update_fields=["suspended_for_nonpayment"])
    for subscription in Subscription.objects.filter(
        customer=customer, status=SubscriptionStatus.ACTIVE
    ):
        subscription_set_status(
            subscription=subscription,
            status=SubscriptionStatus.PAST_DUE,
            reason=f"Past due: {why}"[:100],
            only_from=[SubscriptionStatus.ACTIVE],
        )
    return 1


def lift_suspension_if_settled(
    *, customer_id: int, actor: User | None, today: date | None = None
) -> bool:
    """Lift a suspension dunning imposed once its cause is gone: no invoice is overdue past
    the limit any more (paid, credited or void). Younger overdue invoices do not keep it.
    Call it inside the transaction that settled an invoice (payments, voids, credit notes)."""
    from customers.account_status import account_reactivate
    from customers.models import Customer, PortalAccess

    billing = BillingProfile.objects.select_for_update().filter(customer_id=customer_id).first()
    if billing is None or not billing.suspended_for_nonpayment:
        return False
    if overdue_state(customer_id, today=today).past_limit:
        return False
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.portal_access == PortalAccess.SUSPENDED and customer.deleted_at is None:
        account_reactivate(
            customer_id=customer_id,
            actor=actor,
            reason="no invoice is overdue past the limit any more",
        )
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


def settle_suspension(invoice: Invoice, *, actor: User | None) -> bool:
    """The hook for whatever settles an invoice (void, credit note): lift its company's
    suspension if that was its last invoice overdue past the limit."""
    if invoice.customer_id is None:
        return False
    return lift_suspension_if_settled(customer_id=invoice.customer_id, actor=actor)


def suspension_summary(customer_id: int | None, *, was_suspended: bool = False) -> str:
    """For the console's payment message: whether the company is still suspended and why
    (or, ``was_suspended`` before the payment, that it is active again)."""
    from customers.models import Customer, PortalAccess

    if customer_id is None:
        return ""
    customer = Customer.objects.filter(pk=customer_id).only("portal_access", "name").first()
    if customer is None:
        return ""
    if customer.portal_access != PortalAccess.SUSPENDED:
        if was_suspended and customer.portal_access == PortalAccess.ACTIVE:
            return f"{customer.name}'s account is active again: nothing is overdue past the limit."
        return ""
    billing = BillingProfile.objects.filter(customer_id=customer_id).first()
    if billing is None or not billing.suspended_for_nonpayment:
        return f"{customer.name}'s account stays suspended: it was suspended by staff."
    state = overdue_state(customer_id)
    numbers = ", ".join(invoice.number or "draft" for invoice in state.past_limit)
    return (
        f"{customer.name}'s account stays suspended: "
        f"{money_text(state.past_limit_total, state.currencies)} is more than "
        f"{state.limit_days} days overdue ({numbers})."
    )
