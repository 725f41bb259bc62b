"""Invoicing: the month's invoice run (compute each payer's charges for a batch of
subscriptions in a few queries, create and number the invoices), issuing a draft, deleting a
draft and voiding an issued invoice (optionally drafting its replacement)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from core.events import anyone_listens, emit_event
from core.services import save_with_history
from core.tasks import defer_after_commit

from .. import money, pricing, tax
from ..models import (
    BillingSettings,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    Metric,
    PlanTier,
    Project,
    Subscription,
    SubscriptionTerm,
    UsageRecord,
)
from ..pricing import Charges
from ..selectors import tenant_currency

RUN_CHUNK = 500


# --- Computing the lines -----------------------------------------------------------------


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
        lines = pricing.subscription_lines(
            subscription,
            terms[subscription.pk],
            usage.get(subscription.customer_id, {}),
            tiers,
            metrics,
            period,
        ) + pricing.project_lines(projects.get(subscription.customer_id, []), period)
        if payer_id != subscription.customer_id:
            for line in lines:
                line["sub_account"] = subscription.customer
                line["sub_account_name"] = subscription.customer.name
        charges.lines.extend(lines)
    for charges in invoices.values():
        charges.lines.sort(key=lambda line: line.get("sub_account_name", ""))
    return list(invoices.values())


# --- Creating and issuing -------------------------------------------------------------


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


def _new_invoice(charges: Charges, settings_row: BillingSettings, currency: str) -> Invoice:
    # --- Tax: billing/tax.py owns the rules (per line, half up); keep to this one call. ---
    totals = tax.taxed_totals(
        charges.lines, customer=charges.customer, settings_row=settings_row, currency=currency
    )
    return Invoice(
        customer=charges.customer,
        customer_name=charges.customer.name,
        period_start=charges.period.start,
        period_end=charges.period.end,
        currency=currency,
        subtotal=totals.subtotal,
        tax_rate=totals.tax_rate,
        tax=totals.tax,
        total=totals.total,
        recurring_total=totals.recurring_total,
        **totals.invoice_fields,
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
        listening = anyone_listens("invoice.issued")
        for invoice in invoices:
            _after_issue(invoice, notify=notify, emit=listening)
    return len(invoices), len(ready) - len(fresh), len(not_due)


def _after_issue(invoice: Invoice, *, notify: bool = True, emit: bool = True) -> None:
    from ..tasks import send_invoice_email

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
