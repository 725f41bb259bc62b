"""Invoicing: the month's invoice run (compute each payer's charges for a batch of
subscriptions in a few queries, create and number the invoices), issuing a draft, deleting a
draft and voiding an issued invoice (optionally drafting its replacement)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import User
from core.events import emit_event
from core.services import save_with_history
from core.tasks import defer_after_commit
from customers.services_contacts import invoice_recipient

from .. import money, pricing, tax
from ..models import (
    BillingSettings,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    Metric,
    Plan,
    PlanTier,
    Project,
    Subscription,
    SubscriptionTerm,
    UsageRecord,
)
from ..pricing import Charges
from ..selectors import tenant_currency
from .credit_notes import credit_apply_to_issued
from .dunning import settle_suspension

# --- Computing the lines -----------------------------------------------------------------

# Lines that apps above billing add to a run's invoices (contracts: hours beyond a block),
# each called once per batch with every customer's billing period; returns lines by
# customer id. Registered from an AppConfig.ready(), so billing imports none of them.
LineSource = Callable[[dict[int, money.Period]], dict[int, list[dict]]]
_line_sources: list[LineSource] = []


def register_line_source(source: LineSource) -> None:
    if source not in _line_sources:
        _line_sources.append(source)


class _Term(NamedTuple):
    """What pricing reads of a SubscriptionTerm."""

    plan: Plan
    seats: int
    effective_from: date


def compute_charges(subscriptions: list[Subscription], month: date) -> list[Charges]:
    """Invoices-to-be for a batch of subscriptions in a few queries: terms, usage sums, tiers,
    projects and consolidated parents are loaded for the whole batch at once."""
    if not subscriptions:
        return []
    sub_ids = [s.pk for s in subscriptions]
    customer_ids = [s.customer_id for s in subscriptions]
    # Terms as light tuples and plans loaded once and shared, not once per subscription and
    # term (model instances are what a 10,000-subscription run spends its time on).
    rows = list(
        SubscriptionTerm.objects.filter(subscription_id__in=sub_ids).values_list(
            "subscription_id", "plan_id", "seats", "effective_from"
        )
    )
    plans = Plan.objects.in_bulk({s.plan_id for s in subscriptions} | {r[1] for r in rows})
    terms: dict[int, list[_Term]] = defaultdict(list)
    for subscription_id, plan_id, seats, effective_from in rows:
        terms[subscription_id].append(_Term(plans[plan_id], seats, effective_from))
    plan_field = Subscription._meta.get_field("plan")
    for subscription in subscriptions:
        if not plan_field.is_cached(subscription):
            plan_field.set_cached_value(subscription, plans[subscription.plan_id])
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
    in_range = UsageRecord.objects.filter(
        customer_id__in=customer_ids, day__gte=first, day__lte=last
    )
    if len(set(periods.values())) == 1:
        # One period for the whole batch (the usual case): the database sums.
        for customer_id, metric_id, quantity in (
            in_range.values("customer_id", "metric_id")
            .annotate(summed=Sum("quantity"))
            .values_list("customer_id", "metric_id", "summed")
        ):
            usage[customer_id][metric_id] += quantity
    else:
        sub_of = {s.customer_id: s for s in subscriptions}
        for customer_id, metric_id, day, quantity in in_range.values_list(
            "customer_id", "metric_id", "day", "quantity"
        ):
            period = periods[sub_of[customer_id].pk]
            if period.start <= day <= period.end:
                usage[customer_id][metric_id] += quantity
    plan_ids = set(plans)
    tiers: dict[tuple[int, int], list[money.Tier]] = defaultdict(list)
    for tier in PlanTier.objects.filter(plan_id__in=plan_ids):
        tiers[(tier.plan_id, tier.metric_id)].append(money.Tier(tier.up_to, tier.unit_price))
    metrics = {m.pk: m for m in Metric.objects.all()}
    projects: dict[int, list[Project]] = defaultdict(list)
    for project in Project.objects.filter(
        customer_id__in=customer_ids, is_cancelled=False, start_date__lte=last
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=first)):
        projects[project.customer_id].append(project)

    # Payers among the batch's customers are already loaded; only parents without a
    # subscription of their own are fetched.
    payer_customers = {s.customer_id: s.customer for s in subscriptions}
    missing = set(payers.values()) - payer_customers.keys()
    if missing:
        payer_customers.update(Customer.objects.in_bulk(missing))
    customer_periods = {s.customer_id: periods[s.pk] for s in reversed(subscriptions)}
    extra_lines: dict[int, list[dict]] = defaultdict(list)
    for source in _line_sources:
        for customer_id, lines in source(customer_periods).items():
            extra_lines[customer_id].extend(lines)
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
        if subscription.customer_id in extra_lines:  # once per customer, not per subscription
            lines += extra_lines.pop(subscription.customer_id)
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
    # Who it goes to: the billing contacts first, then the old fields (customers decides).
    recipient, email = invoice_recipient(customer)
    lines = [
        customer.name,
        recipient,
        part("address_line1"),
        part("address_line2"),
        " ".join(p for p in (part("postal_code"), part("city")) if p),
        part("state"),
        country.name if country else "",
    ]
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


def invoice_run(**kwargs) -> InvoiceRun:
    """The month's invoice run: see services/invoice_runs.py."""
    from .invoice_runs import invoice_run as run

    return run(**kwargs)


def validate_run_month(month: date, today: date | None = None) -> None:
    from .invoice_runs import validate_run_month as validate

    validate(month, today)


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
    # The customer's credit (an earlier overpayment) settles what it can, in this transaction.
    credit_apply_to_issued([invoice], actor=actor, today=invoice.issue_date)
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
            "Payments are recorded against this invoice (or a credit note, or applied "
            "credit); it cannot be voided. Issue a credit note for what is still due instead."
        )
    invoice.status = InvoiceStatus.VOID
    invoice.void_reason = reason[:300]
    # The history reason column holds 100 characters; the full reason is on void_reason.
    why = f"Voided: {reason}"
    save_with_history(invoice, actor=actor, reason=why if len(why) <= 100 else why[:99] + "…")
    settle_suspension(invoice, actor=actor)  # dunning: a void may lift a suspension
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
