"""Writes with side effects for projects and billing. Every state change of a subscription,
invoice or payment goes through here, inside one transaction, with its history record."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from core.services import save_with_history
from core.tasks import defer_after_commit

from . import money
from .models import (
    LIVE_SUBSCRIPTION,
    BillingProfile,
    BillingSettings,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    LineKind,
    Metric,
    MonthlyCollections,
    Payment,
    Plan,
    PlanTier,
    Project,
    Subscription,
    SubscriptionStatus,
    SubscriptionTerm,
    UsageRecord,
    UsageSource,
)

RUN_CHUNK = 500


# --- Projects ----------------------------------------------------------------------------


@transaction.atomic
def project_create(*, actor: User | None, locations=(), **fields: Any) -> Project:
    project = Project(**fields)
    if project.customer_id is None:
        raise ValidationError({"customer": "A project belongs to a customer: choose one."})
    if project.customer.deleted_at is not None:
        raise ValidationError({"customer": "That customer has been deleted."})
    project.customer_name = project.customer.name
    save_with_history(project, actor=actor, reason="Created")
    project.locations.set(locations)
    return project


@transaction.atomic
def project_update(
    *, project_id: int, data: dict[str, Any], actor: User | None, locations=None
) -> Project:
    project = Project.objects.select_for_update().get(pk=project_id)
    for name, value in data.items():
        setattr(project, name, value)
    if project.customer_id:
        project.customer_name = project.customer.name
    save_with_history(project, actor=actor, reason="Edited")
    if locations is not None:
        project.locations.set(locations)
    return project


# --- Plans and subscriptions ------------------------------------------------------------


@transaction.atomic
def plan_save(*, plan: Plan, tiers: list[dict], actor: User | None) -> Plan:
    """Create or edit a plan with its usage tiers (replaced as a whole)."""
    save_with_history(plan, actor=actor, reason="Edited" if plan.pk else "Created")
    plan.tiers.all().delete()
    PlanTier.objects.bulk_create(PlanTier(plan=plan, **tier) for tier in tiers)
    return plan


def _live_customer(customer) -> None:
    if customer.deleted_at is not None:
        raise ValidationError({"customer": "That customer has been deleted."})


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
    _live_customer(customer)
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
    billed_until = (
        Invoice.objects.filter(customer_id=subscription.customer_id)
        .exclude(status=InvoiceStatus.VOID)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    if billed_until and effective_from <= billed_until:
        raise ValidationError(
            {
                "effective_from": f"The period up to {billed_until:%Y-%m-%d} is already "
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


def seat_limit(customer_id: int) -> int | None:
    """How many active users a company may have: its subscription's seats (None: no limit)."""
    return (
        Subscription.objects.filter(customer_id=customer_id, status__in=LIVE_SUBSCRIPTION)
        .values_list("seats", flat=True)
        .first()
    )


# --- Usage ------------------------------------------------------------------------------


# The rules of a day's usage, shared with the usage import (imports/usage.py), which checks a
# whole file against them in bulk.
USAGE_NEGATIVE = "Enter a quantity of zero or more."
USAGE_FUTURE_DAY = "Usage cannot be recorded for a day in the future."
USAGE_ON_ISSUED_INVOICE = "That day is on an issued invoice already; void it first to change usage."
# Invoices in these states leave a day's usage open to change.
USAGE_OPEN_INVOICE_STATUSES = (InvoiceStatus.VOID, InvoiceStatus.DRAFT)


def usage_no_subscription(customer_name: str, day: date) -> str:
    return f"{customer_name} had no active subscription on {day:%Y-%m-%d}."


@transaction.atomic
def usage_record(
    *,
    customer,
    metric: Metric,
    day: date,
    quantity: Decimal,
    actor: User | None,
    source: str = UsageSource.STAFF,
) -> UsageRecord:
    """Record (or replace) a day's usage of one metric."""
    _live_customer(customer)
    if quantity is None or quantity < 0:
        raise ValidationError({"quantity": USAGE_NEGATIVE})
    if day > timezone.localdate():
        raise ValidationError({"day": USAGE_FUTURE_DAY})
    subscriptions = Subscription.objects.filter(customer=customer, start_date__lte=day).filter(
        Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=day)
    )
    if not subscriptions.exists():
        raise ValidationError({"day": usage_no_subscription(customer.name, day)})
    if (
        Invoice.objects.filter(
            customer_id=_payer_id(customer), period_start__lte=day, period_end__gte=day
        )
        .exclude(status__in=USAGE_OPEN_INVOICE_STATUSES)
        .exists()
    ):
        raise ValidationError({"day": USAGE_ON_ISSUED_INVOICE})
    record, _ = UsageRecord.objects.update_or_create(
        customer=customer,
        metric=metric,
        day=day,
        defaults={"quantity": quantity, "source": source, "recorded_by": actor},
    )
    return record


def _payer_id(customer) -> int:
    parent_id = customer.parent_id
    if (
        parent_id
        and BillingProfile.objects.filter(customer_id=parent_id, consolidated_billing=True).exists()
    ):
        return parent_id
    return customer.pk


# --- Invoices: computing the lines ------------------------------------------------------


@dataclass
class Charges:
    """One payer's invoice in the making."""

    customer: Any
    period: money.Period
    lines: list[dict] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return money.total(line["amount"] for line in self.lines)


def _term_segments(terms: list[SubscriptionTerm], subscription: Subscription, period):
    """(plan, seats, first day, last day) for each stretch of the period a term covered,
    trial days and days after cancellation left out."""
    last_day = period.end
    if subscription.cancelled_on:
        last_day = min(last_day, subscription.cancelled_on)
    first_paid = period.start
    if subscription.trial_end:
        first_paid = max(first_paid, subscription.trial_end + timedelta(days=1))
    ordered = sorted(terms, key=lambda t: t.effective_from)
    for index, term in enumerate(ordered):
        until = (
            ordered[index + 1].effective_from - timedelta(days=1)
            if index + 1 < len(ordered)
            else last_day
        )
        first, last = max(term.effective_from, first_paid), min(until, last_day)
        if first <= last:
            yield term.plan, term.seats, first, last


def subscription_lines(
    subscription: Subscription,
    terms: list[SubscriptionTerm],
    usage: dict[int, Decimal],
    tiers: dict[tuple[int, int], list[money.Tier]],
    metrics: dict[int, Metric],
    period: money.Period,
) -> list[dict]:
    """The plan, seat and usage lines of one subscription for one period."""
    lines = []
    for plan, seats, first, last in _term_segments(terms, subscription, period):
        days = (last - first).days + 1
        span = "" if days == period.days else f" ({first:%b %d}–{last:%b %d}, {days} days)"
        if plan.monthly_fee:
            lines.append(
                {
                    "kind": LineKind.SUBSCRIPTION,
                    "description": f"{plan.name} plan{span}",
                    "quantity": Decimal(1),
                    "unit_price": plan.monthly_fee,
                    "amount": money.prorate(plan.monthly_fee, days, period.days),
                }
            )
        if plan.seat_fee and seats:
            lines.append(
                {
                    "kind": LineKind.SEATS,
                    "description": f"{seats} seat{'s' if seats != 1 else ''}{span}",
                    "quantity": Decimal(seats),
                    "unit_price": plan.seat_fee,
                    "amount": money.prorate(plan.seat_fee * seats, days, period.days),
                }
            )
    plan_at_end = subscription.plan_id
    for metric_id, quantity in sorted(usage.items(), key=lambda item: metrics[item[0]].name):
        metric = metrics[metric_id]
        plan_tiers = tiers.get((plan_at_end, metric_id), [])
        charges = money.tiered_charges(quantity, plan_tiers) if plan_tiers else []
        amount = money.total(c.amount for c in charges)
        lines.append(
            {
                "kind": LineKind.USAGE,
                "description": f"{metric.name}: {quantity.normalize():f} {metric.unit}",
                "quantity": quantity,
                "unit_price": (amount / quantity).quantize(Decimal("0.0001"))
                if quantity
                else Decimal(0),
                "amount": amount,
                "breakdown": [c.as_dict() for c in charges],
            }
        )
    return lines


def project_lines(projects: list[Project], period: money.Period) -> list[dict]:
    lines = []
    for project in projects:
        end = project.end_date
        days = period.overlap_days(project.start_date, end)
        if not days or not project.monthly_fee:
            continue
        span = "" if days == period.days else f" ({days} of {period.days} days)"
        lines.append(
            {
                "kind": LineKind.PROJECT,
                "description": f"Project {project.name}{span}",
                "quantity": Decimal(1),
                "unit_price": project.monthly_fee,
                "amount": money.prorate(project.monthly_fee, days, period.days),
            }
        )
    return lines


def compute_charges(subscriptions: list[Subscription], month: date) -> list[Charges]:
    """Invoices-to-be for a batch of subscriptions in a few queries: terms, usage sums, tiers,
    projects and consolidated parents are loaded for the whole batch at once."""
    if not subscriptions:
        return []
    sub_ids = [s.pk for s in subscriptions]
    customer_ids = [s.customer_id for s in subscriptions]
    terms: dict[int, list[SubscriptionTerm]] = defaultdict(list)
    for term in SubscriptionTerm.objects.filter(subscription_id__in=sub_ids).select_related("plan"):
        terms[term.subscription_id].append(term)
    from customers.models import Customer

    consolidating = dict(
        Customer.objects.filter(
            pk__in=customer_ids, parent__billing_profile__consolidated_billing=True
        ).values_list("pk", "parent_id")
    )
    payers = {s.customer_id: consolidating.get(s.customer_id, s.customer_id) for s in subscriptions}
    payer_anchor = {s.customer_id: s.anchor_day for s in subscriptions}
    periods = {
        s.pk: money.period_for(month, payer_anchor.get(payers[s.customer_id], s.anchor_day))
        for s in subscriptions
    }
    first = min(p.start for p in periods.values())
    last = max(p.end for p in periods.values())
    usage: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = UsageRecord.objects.filter(
        customer_id__in=customer_ids, day__gte=first, day__lte=last
    ).values_list("customer_id", "metric_id", "day", "quantity")
    sub_of = {s.customer_id: s for s in subscriptions}
    for customer_id, metric_id, day, quantity in rows:
        period = periods[sub_of[customer_id].pk]
        if period.start <= day <= period.end:
            usage[customer_id][metric_id] += quantity
    plan_ids = {t.plan_id for ts in terms.values() for t in ts} | {s.plan_id for s in subscriptions}
    tiers: dict[tuple[int, int], list[money.Tier]] = defaultdict(list)
    for tier in PlanTier.objects.filter(plan_id__in=plan_ids):
        tiers[(tier.plan_id, tier.metric_id)].append(money.Tier(tier.up_to, tier.unit_price))
    metrics = {m.pk: m for m in Metric.objects.all()}
    projects: dict[int, list[Project]] = defaultdict(list)
    for project in Project.objects.filter(
        customer_id__in=customer_ids, is_cancelled=False, start_date__lte=last
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=first)):
        projects[project.customer_id].append(project)

    payer_customers = Customer.objects.in_bulk(set(payers.values()))
    invoices: dict[int, Charges] = {}
    for subscription in subscriptions:
        payer_id = payers[subscription.customer_id]
        period = periods[subscription.pk]
        charges = invoices.setdefault(payer_id, Charges(payer_customers[payer_id], period))
        lines = subscription_lines(
            subscription,
            terms[subscription.pk],
            usage.get(subscription.customer_id, {}),
            tiers,
            metrics,
            period,
        ) + project_lines(projects.get(subscription.customer_id, []), period)
        if payer_id != subscription.customer_id:
            for line in lines:
                line["sub_account"] = subscription.customer
                line["sub_account_name"] = subscription.customer.name
        charges.lines.extend(lines)
    for charges in invoices.values():
        charges.lines.sort(key=lambda line: line.get("sub_account_name", ""))
    return list(invoices.values())


# --- Invoices: creating and issuing -------------------------------------------------------


def billing_address_of(customer) -> tuple[str, str]:
    """The billing contact and address printed on the invoice: the billing address when one
    is given, else the company's."""
    has_billing = bool(customer.billing_address_line1 or customer.billing_city)
    prefix = "billing_" if has_billing else ""
    part = lambda name: getattr(customer, prefix + name)  # noqa: E731
    country = part("country")
    lines = [
        customer.name,
        customer.billing_contact_name or customer.contact_name,
        part("address_line1"),
        part("address_line2"),
        " ".join(p for p in (part("postal_code"), part("city")) if p),
        part("state"),
        country.name if country else "",
    ]
    email = customer.billing_email or customer.contact_email or customer.company_email
    return "\n".join(line for line in lines if line), email


def _reserve_numbers(count: int) -> tuple[BillingSettings, list[str]]:
    """Lock the counter row and take ``count`` consecutive numbers. The lock is held until the
    transaction ends, so concurrent issuers queue up and a rollback gives the numbers back."""
    settings_row = BillingSettings.objects.select_for_update().filter(pk=1).first()
    if settings_row is None:
        BillingSettings.objects.get_or_create(pk=1)
        settings_row = BillingSettings.objects.select_for_update().get(pk=1)
    first = settings_row.next_invoice_number
    settings_row.next_invoice_number = first + count
    settings_row.save(update_fields=["next_invoice_number"])
    numbers = [f"{settings_row.invoice_prefix}{n:06d}" for n in range(first, first + count)]
    return settings_row, numbers


def _issue_fields(invoice: Invoice, number: str, settings_row: BillingSettings, today: date):
    invoice.number = number
    invoice.issue_date = today
    invoice.due_date = today + timedelta(days=settings_row.payment_terms_days)
    if invoice.customer is not None:
        invoice.billing_address, invoice.billing_email = billing_address_of(invoice.customer)
    invoice.status = InvoiceStatus.PAID if invoice.total == 0 else InvoiceStatus.ISSUED
    if invoice.total == 0:
        invoice.paid_on = today


def tenant_currency() -> str:
    from tenants.models import Tenant

    currency = (
        Tenant.objects.filter(schema_name=connection.schema_name)
        .values_list("currency", flat=True)
        .first()
    )
    return currency or "USD"


def _new_invoice(charges: Charges, settings_row: BillingSettings, currency: str) -> Invoice:
    subtotal = charges.subtotal
    tax = money.percent_of(subtotal, settings_row.tax_rate)
    return Invoice(
        customer=charges.customer,
        customer_name=charges.customer.name,
        period_start=charges.period.start,
        period_end=charges.period.end,
        currency=currency,
        subtotal=subtotal,
        tax_rate=settings_row.tax_rate,
        tax=tax,
        total=subtotal + tax,
        recurring_total=money.total(
            line["amount"]
            for line in charges.lines
            if line["kind"] in (LineKind.SUBSCRIPTION, LineKind.SEATS)
        ),
    )


def _save_lines(pairs: list[tuple[Invoice, Charges]]) -> None:
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=position, **line)
        for invoice, charges in pairs
        for position, line in enumerate(charges.lines)
    )


def invoices_due(month: date):
    """Subscriptions with days to bill in the month's period: started before it ended and not
    cancelled before it began."""
    last_possible = money.add_months(month, 1) + timedelta(days=27)
    return (
        Subscription.objects.filter(start_date__lte=last_possible)
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=month))
        .filter(customer__deleted_at__isnull=True)
        .select_related("customer", "plan")
        .order_by("pk")
    )


def validate_run_month(month: date, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if month.day != 1:
        raise ValidationError("A run is for a whole month: give its first day.")
    if month > today.replace(day=1):
        raise ValidationError(f"{month:%B %Y} has not started yet; it cannot be invoiced.")
    if month.year < 2000:
        raise ValidationError("That month is too far in the past.")


def invoice_run(
    *,
    month: date,
    actor: User | None,
    issue: bool = True,
    today: date | None = None,
    notify: bool = True,
) -> InvoiceRun:
    """Create (and by default issue) the month's invoices for every subscription whose period
    is over. Idempotent: a customer that already has a (non-void) invoice for the period is
    skipped, so running it twice creates nothing new; periods not yet over are counted and
    left for a later run. Works in chunks, each in its own transaction."""
    today = today or timezone.localdate()
    validate_run_month(month, today)
    run = InvoiceRun.objects.create(period=month, issue=issue, started_by=actor)
    try:
        subscriptions = list(invoices_due(month))
        for start in range(0, len(subscriptions), RUN_CHUNK):
            created, existing, not_due = _run_chunk(
                subscriptions[start : start + RUN_CHUNK], month, actor, issue, today, notify
            )
            run.created_count += created
            run.existing_count += existing
            run.not_due_count += not_due
    except Exception as error:
        run.status = InvoiceRun.Status.FAILED
        run.error = str(error)[:2000]
        run.finished_at = timezone.now()
        run.save()
        raise
    run.status = InvoiceRun.Status.DONE
    run.finished_at = timezone.now()
    run.save()
    return run


@transaction.atomic
def _run_chunk(subscriptions, month, actor, issue, today, notify) -> tuple[int, int, int]:
    all_charges = compute_charges(subscriptions, month)
    not_due = [c for c in all_charges if c.period.end >= today]
    ready = [c for c in all_charges if c.period.end < today and c.lines]
    taken = set(
        Invoice.objects.filter(
            customer_id__in=[c.customer.pk for c in ready],
            period_start__in={c.period.start for c in ready},
        )
        .exclude(status=InvoiceStatus.VOID)
        .values_list("customer_id", "period_start")
    )
    fresh = [c for c in ready if (c.customer.pk, c.period.start) not in taken]
    if not fresh:
        return 0, len(ready) - len(fresh), len(not_due)
    if issue:
        settings_row, numbers = _reserve_numbers(len(fresh))
    else:
        settings_row, numbers = BillingSettings.current(), [None] * len(fresh)
    invoices, currency = [], tenant_currency()
    for charges, number in zip(fresh, numbers, strict=True):
        invoice = _new_invoice(charges, settings_row, currency)
        if number:
            _issue_fields(invoice, number, settings_row, today)
        invoices.append(invoice)
    reason = "Issued by the invoice run" if issue else "Drafted by the invoice run"
    try:
        with transaction.atomic():
            invoices = bulk_create_with_history(
                invoices, Invoice, default_user=actor, default_change_reason=reason
            )
    except IntegrityError:
        # Another run created some of these meanwhile; this chunk is redone next time.
        return 0, len(ready), len(not_due)
    _save_lines(list(zip(invoices, fresh, strict=True)))
    if issue:
        from webhooks.services import anyone_listens

        listening = anyone_listens("invoice.issued")
        for invoice in invoices:
            _after_issue(invoice, notify=notify, emit=listening)
    return len(invoices), len(ready) - len(fresh), len(not_due)


def _after_issue(invoice: Invoice, *, notify: bool = True, emit: bool = True) -> None:
    from webhooks.services import emit_event

    from .tasks import send_invoice_email

    if notify and invoice.billing_email and invoice.total > 0:
        defer_after_commit(send_invoice_email, invoice_id=invoice.pk, kind="invoice")
    if emit:
        emit_event(
            "invoice.issued",
            obj=invoice,
            data={
                "number": invoice.number,
                "customer_id": invoice.customer_id,
                "total": str(invoice.total),
                "currency": invoice.currency,
            },
        )


@transaction.atomic
def invoice_issue(*, invoice_id: int, actor: User | None, today: date | None = None) -> Invoice:
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=invoice_id)
    )
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError("Only a draft can be issued; this invoice is already issued.")
    settings_row, (number,) = _reserve_numbers(1)
    _issue_fields(invoice, number, settings_row, today or timezone.localdate())
    save_with_history(invoice, actor=actor, reason=f"Issued as {number}")
    _after_issue(invoice)
    return invoice


@transaction.atomic
def invoice_draft_delete(*, invoice_id: int, actor: User | None) -> None:
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError("An issued invoice cannot be deleted; void it instead.")
    invoice._history_user = actor
    invoice.delete()


@transaction.atomic
def invoice_void(
    *, invoice_id: int, reason: str, actor: User | None, recompute: bool = False
) -> Invoice | None:
    """Void an unpaid issued invoice; with ``recompute``, draft its replacement from today's
    records for the same period."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the invoice is void (it stays on record)."})
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        raise ValidationError("Only an issued invoice can be voided.")
    if invoice.amount_paid:
        raise ValidationError(
            "Payments are recorded against this invoice; it cannot be voided. Correct the "
            "next invoice instead."
        )
    invoice.status = InvoiceStatus.VOID
    invoice.void_reason = reason[:300]
    save_with_history(invoice, actor=actor, reason=f"Voided: {reason[:200]}")
    if not recompute or invoice.customer_id is None:
        return None
    subscriptions = list(
        Subscription.objects.filter(
            Q(customer_id=invoice.customer_id)
            | Q(
                customer__parent_id=invoice.customer_id,
                customer__parent__billing_profile__consolidated_billing=True,
            )
        ).select_related("customer", "plan")
    )
    month = invoice.period_start.replace(day=1)
    replacement = next(
        (c for c in compute_charges(subscriptions, month) if c.customer.pk == invoice.customer_id),
        None,
    )
    if replacement is None or not replacement.lines:
        return None
    draft = _new_invoice(replacement, BillingSettings.current(), tenant_currency())
    draft.replaces = invoice
    save_with_history(draft, actor=actor, reason=f"Drafted to replace {invoice.number}")
    _save_lines([(draft, replacement)])
    return draft


# --- Payments ------------------------------------------------------------------------------


class PaymentGateway(Protocol):
    """The seam for a payment provider: charge a stored payment-method token with the
    provider and, on success, call payment_record(). No gateway is wired in yet; no card data
    is ever stored here."""

    def charge(self, *, invoice: Invoice, amount: Decimal) -> str:
        """Return the provider's reference, or raise on failure."""


@transaction.atomic
def payment_record(
    *,
    invoice_id: int,
    amount: Decimal,
    method: str,
    paid_on: date,
    reference: str = "",
    actor: User | None,
    notify: bool = True,
) -> Payment:
    """Record money received. The invoice row is locked, so two people recording at once
    cannot pay it twice over; a payment larger than the balance is refused (no credit kept)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if not invoice.is_open:
        raise ValidationError(
            f"This invoice is {invoice.get_status_display().lower()}; payments go against "
            "issued, partially paid or overdue invoices."
        )
    amount = money.to_money(amount)
    if amount <= 0:
        raise ValidationError({"amount": "Enter an amount greater than zero."})
    if amount > invoice.balance:
        raise ValidationError(
            {
                "amount": f"The balance is {invoice.balance} {invoice.currency}; a payment of "
                f"{amount} is larger. Record at most the balance (overpayments are not kept "
                "as credit)."
            }
        )
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "A payment cannot be dated in the future."})
    if invoice.issue_date and paid_on < invoice.issue_date:
        raise ValidationError({"paid_on": "A payment cannot be older than the invoice."})
    reference = (reference or "").strip()
    payment = Payment(
        invoice=invoice,
        amount=amount,
        method=method,
        paid_on=paid_on,
        reference=reference,
        recorded_by=actor,
    )
    payment.full_clean()
    try:
        with transaction.atomic():
            payment._history_user = actor
            payment.save()
    except IntegrityError as error:
        raise ValidationError(
            {"reference": "A payment with this reference is already recorded."}
        ) from error
    add_to_monthly_collections(paid_on, amount)
    invoice.amount_paid += amount
    if invoice.balance == 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_on = paid_on
    elif invoice.status != InvoiceStatus.OVERDUE:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    save_with_history(
        invoice,
        actor=actor,
        reason=f"Payment of {amount} {invoice.currency} recorded ({payment.get_method_display()})",
    )
    from .tasks import send_invoice_email

    if notify and invoice.billing_email:
        defer_after_commit(send_invoice_email, invoice_id=invoice.pk, kind="receipt")
    if invoice.status == InvoiceStatus.PAID:
        from webhooks.services import emit_event

        emit_event(
            "invoice.paid",
            obj=invoice,
            data={
                "number": invoice.number,
                "customer_id": invoice.customer_id,
                "total": str(invoice.total),
                "currency": invoice.currency,
            },
        )
    if invoice.customer_id:
        lift_suspension_if_settled(customer_id=invoice.customer_id, actor=actor)
    return payment


def add_to_monthly_collections(paid_on: date, amount: Decimal) -> None:
    """One atomic upsert: concurrent payments in the same month add up, none is lost."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {MonthlyCollections._meta.db_table} (month, amount) VALUES (%s, %s)
            ON CONFLICT (month) DO UPDATE SET amount = {MonthlyCollections._meta.db_table}.amount
                + EXCLUDED.amount
            """,
            [paid_on.replace(day=1), amount],
        )


# --- Overdue and suspension ------------------------------------------------------------------


def mark_overdue(*, today: date | None = None, notify: bool = True) -> int:
    """Issued invoices past their due date become overdue; each billing contact gets one
    notice. Returns how many changed."""
    from .tasks import send_invoice_email

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
    from portal.models import CompanyProfile

    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.portal_access != PortalAccess.ACTIVE:
        return
    why = f"Invoice {number} is {days_overdue} days overdue."
    customer.portal_access = PortalAccess.SUSPENDED
    save_with_history(customer, actor=None, reason=f"Portal suspended: {why}")
    profile, _ = CompanyProfile.objects.get_or_create(customer=customer)
    profile.suspension_reason = f"{why} Access returns as soon as the payment is recorded."
    profile.save(update_fields=["suspension_reason"])
    billing, _ = BillingProfile.objects.get_or_create(customer=customer)
    billing.suspended_for_nonpayment = True
    billing.save(update_fields=["suspended_for_nonpayment"])
    Subscription.objects.filter(customer=customer, status=SubscriptionStatus.ACTIVE).update(
        status=SubscriptionStatus.PAST_DUE
    )


def lift_suspension_if_settled(*, customer_id: int, actor: User | None) -> bool:
    """Lift a suspension this module imposed once no overdue balance remains."""
    from customers.models import Customer, PortalAccess
    from portal.models import CompanyProfile

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
    CompanyProfile.objects.filter(customer_id=customer_id).update(suspension_reason="")
    billing.suspended_for_nonpayment = False
    billing.save(update_fields=["suspended_for_nonpayment"])
    Subscription.objects.filter(customer_id=customer_id, status=SubscriptionStatus.PAST_DUE).update(
        status=SubscriptionStatus.ACTIVE
    )
    return True


# --- Resellers ---------------------------------------------------------------------------------


def _paid_in(period: money.Period, per: str, **filters: Any) -> dict[int, Decimal]:
    """Payments received in the period, summed per ``per`` (a path from Payment)."""
    return dict(
        Payment.objects.filter(paid_on__gte=period.start, paid_on__lte=period.end, **filters)
        .values(per)
        .annotate(total=Sum("amount"))
        .values_list(per, "total")
    )


def _commission(paid: Decimal | None, rate: Decimal) -> dict:
    paid = paid if paid is not None else Decimal("0.00")
    return {"paid": paid, "rate": rate, "commission": money.percent_of(paid, rate)}


def commission_rows(reseller, period: money.Period) -> list[dict]:
    """Each client of a reseller with what it paid in the period and the commission due."""
    from customers.models import Customer

    profile = BillingProfile.objects.filter(customer=reseller).first()
    rate = profile.commission_rate if profile else Decimal(0)
    paid = _paid_in(period, "invoice__customer_id", invoice__customer__parent=reseller)
    clients = Customer.objects.filter(parent=reseller).order_by("name").only("id", "name")
    return [{"customer": client, **_commission(paid.get(client.pk), rate)} for client in clients]


def commission_summary(resellers, period: money.Period) -> list[dict]:
    """Every reseller with its number of clients, what they paid in the period and the
    commission due: three queries however many resellers there are."""
    from customers.models import Customer

    resellers = list(resellers.select_related("billing_profile").order_by("name"))
    ids = [reseller.pk for reseller in resellers]
    clients = dict(
        Customer.objects.filter(parent_id__in=ids)
        .values("parent_id")
        .annotate(count=Count("pk"))
        .values_list("parent_id", "count")
    )
    paid = _paid_in(period, "invoice__customer__parent_id", invoice__customer__parent_id__in=ids)
    return [
        {
            "reseller": reseller,
            "clients": clients.get(reseller.pk, 0),
            **_commission(paid.get(reseller.pk), reseller.billing_profile.commission_rate),
        }
        for reseller in resellers
    ]


@transaction.atomic
def billing_profile_save(*, customer, actor: User | None, **fields: Any) -> BillingProfile:
    profile, _ = BillingProfile.objects.select_for_update().get_or_create(customer=customer)
    for name, value in fields.items():
        setattr(profile, name, value)
    save_with_history(profile, actor=actor, reason="Billing settings changed")
    return profile
