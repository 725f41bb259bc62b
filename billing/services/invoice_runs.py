"""The month's invoice run, exact at any chunk size and safe to repeat or overlap.

- Subscriptions are grouped by PAYER (the consolidating parent, else the customer itself)
  before the run is cut into chunks, so a chunk always holds every subscription its payers'
  invoices need: a consolidated invoice is complete whatever the chunk size.
- A run holds a per-tenant advisory lock from start to end: a second run of the same tenant
  (the monthly job and ``run_invoices``, two workers, two clicks) waits, then finds the
  first run's invoices and bills only what is still unbilled, once.
- Numbers are reserved in the same savepoint as the inserts they number: a rolled-back
  insert hands its numbers back, so the counter never advances without its invoices.
- ``invoice_run_preview`` answers what a run would do, writing nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from core.events import anyone_listens
from core.formats import count_text
from core.notifications import NotificationKind, notify, staff_with
from core.policies import Capability
from core.tasks import defer_many_after_commit
from customers.services_contacts import invoice_recipients

from .. import money, tax
from ..models import (
    BillingSettings,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    Subscription,
)
from ..pricing import Charges
from ..selectors import tenant_currency
from .credit_notes import credit_apply_to_issued
from .invoicing import (
    _after_issue,
    _issue_fields,
    _new_invoice,
    _reserve_numbers,
    _save_lines,
    compute_charges,
)


def run_chunk() -> int:
    """Payers per transaction (``INVOICE_RUN_CHUNK``, 500 by default)."""
    return settings.INVOICE_RUN_CHUNK


SKIPPED_LISTED = 200  # customers named in a run's summary; the rest are counted


# --- What is due and who pays ---------------------------------------------------------------


def validate_run_month(month: date, today: date | None = None) -> None:
    """Only a whole month that is over can be invoiced."""
    today = today or timezone.localdate()
    if not isinstance(month, date) or month.day != 1:
        raise ValidationError("A run is for a whole month: give its first day.")
    if month.year < 2000:
        raise ValidationError("That month is too far in the past.")
    this_month = today.replace(day=1)
    if month > this_month:
        raise ValidationError(f"{month:%B %Y} has not started yet; it cannot be invoiced.")
    if month == this_month:
        raise ValidationError(
            f"{month:%B %Y} is not over yet; it can be invoiced from "
            f"{money.add_months(month, 1):%-d %B %Y}."
        )


def invoices_due(month: date):
    """Subscriptions with days to bill in the month's period: started before it ended and not
    cancelled before it began."""
    last_possible = money.add_months(month, 1) + timedelta(days=27)
    return (
        Subscription.objects.filter(start_date__lte=last_possible)
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=month))
        .filter(customer__deleted_at__isnull=True)
        .select_related("customer")  # plans: once per chunk in compute_charges
        # Parsed on load (phone numbers, timestamps, JSON) or long, and never used by a run.
        .defer(
            "created_at",
            "updated_at",
            "customer__company_phone",
            "customer__created_at",
            "customer__updated_at",
            "customer__archived_at",
            "customer__description",
            "customer__custom_attributes",
            "customer__internal_notes",
            "customer__search_text",
            "customer__phone_digits",
            "customer__website",
        )
        .order_by("pk")
    )


def payer_groups(subscriptions: list[Subscription]) -> list[list[Subscription]]:
    """The subscriptions grouped by who pays for them, in order of each payer's first
    subscription: a sub-account of a consolidating parent goes with its parent."""
    from customers.models import Customer

    consolidating = dict(
        Customer.objects.filter(
            parent__isnull=False, parent__billing_profile__consolidated_billing=True
        ).values_list("pk", "parent_id")
    )
    groups: dict[int, list[Subscription]] = {}
    for subscription in subscriptions:
        payer = consolidating.get(subscription.customer_id, subscription.customer_id)
        groups.setdefault(payer, []).append(subscription)
    return list(groups.values())


def chunks(groups: list[list[Subscription]], size: int) -> Iterator[list[Subscription]]:
    """Whole payer groups, about ``size`` subscriptions at a time (a group larger than
    ``size`` makes a chunk of its own)."""
    chunk: list[Subscription] = []
    for group in groups:
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


@dataclass
class Sorted:
    """One chunk's payers sorted: to create, already invoiced (drafts apart), not over yet."""

    fresh: list[Charges] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    existing: int = 0
    not_due: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def sort_charges(all_charges: list[Charges], today: date) -> Sorted:
    result = Sorted()
    ready = []
    for charges in all_charges:
        if charges.period.end >= today:
            result.not_due += 1
            result.skipped.append(
                (charges.customer.name, f"period not over until {charges.period.end:%Y-%m-%d}")
            )
        elif not charges.lines:
            result.skipped.append((charges.customer.name, "nothing to bill"))
        else:
            ready.append(charges)
    taken = {
        (customer_id, start): (pk, number, status)
        for pk, customer_id, start, number, status in Invoice.objects.filter(
            customer_id__in=[c.customer.pk for c in ready],
            period_start__in={c.period.start for c in ready},
        )
        .exclude(status=InvoiceStatus.VOID)
        .values_list("pk", "customer_id", "period_start", "number", "status")
    }
    consolidated = {
        taken[key][0]: charges
        for charges in ready
        if (key := (charges.customer.pk, charges.period.start)) in taken
        and any("sub_account" in line for line in charges.lines)
    }
    on_invoice = set(
        InvoiceLine.objects.filter(invoice_id__in=list(consolidated), sub_account__isnull=False)
        .values_list("invoice_id", "sub_account_id")
        .distinct()
    )
    for charges in ready:
        found = taken.get((charges.customer.pk, charges.period.start))
        if found is None:
            result.fresh.append(charges)
            continue
        pk, number, status = found
        result.existing += 1
        # A sub-account that joined the consolidated parent after its invoice was made is
        # not billed silently elsewhere: it is named, with the way to bill it.
        late = {
            line["sub_account"].pk: line["sub_account_name"]
            for line in charges.lines
            if "sub_account" in line and (pk, line["sub_account"].pk) not in on_invoice
        }
        for name in late.values():
            result.skipped.append(
                (
                    name,
                    f"not on {number or 'the draft'} of {charges.customer.name}: void that "
                    "invoice and draft its replacement to bill it",
                )
            )
        if status == InvoiceStatus.DRAFT:
            result.drafts.append(pk)
            result.skipped.append((charges.customer.name, "a draft exists for the period"))
        else:
            result.skipped.append((charges.customer.name, f"already invoiced on {number}"))
    return result


# --- The run --------------------------------------------------------------------------------


@contextmanager
def run_lock() -> Iterator[None]:
    """One invoice run per tenant at a time. Outside a transaction the lock is the
    session's (released at the end); inside one (tests, callers' atomic blocks) it is the
    transaction's."""
    key = f"billing.invoice_run:{connection.schema_name}"
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


def invoice_run(
    *,
    month: date,
    actor: User | None,
    issue: bool = True,
    today: date | None = None,
    notify: bool = True,
    issue_drafts: bool = False,
    chunk_size: int | None = None,
    run: InvoiceRun | None = None,
) -> InvoiceRun:
    """Create (and with ``issue``, issue; with ``notify``, email) the month's invoices for
    every payer whose period is over; with ``issue_drafts`` also issue the month's drafts as
    they are (a reviewed draft run issued in one step). Repeating or overlapping a run bills
    only what is not billed yet. Works in chunks of whole payers, each in its own
    transaction, and records its progress on the run as it goes."""
    today = today or timezone.localdate()
    validate_run_month(month, today)
    if run is None:
        run = invoice_run_start(month=month, actor=actor, issue=issue, notify=notify)
    skipped_total = 0
    try:
        with run_lock():
            groups = payer_groups(list(invoices_due(month)))
            run.payer_count = len(groups)
            _save_progress(run)
            for chunk in chunks(groups, chunk_size or run_chunk()):
                outcome = _run_chunk(
                    chunk, month, actor, issue, today, notify, issue_drafts and issue
                )
                run.created_count += outcome["created"]
                run.existing_count += outcome["existing"]
                run.not_due_count += outcome["not_due"]
                run.email_count += outcome["emails"]
                run.drafts_issued_count += outcome["drafts_issued"]
                run.processed_count += outcome["payers"]
                skipped_total += len(outcome["skipped"])
                room = SKIPPED_LISTED - len(run.skipped)
                run.skipped.extend([name, reason] for name, reason in outcome["skipped"][:room])
                _save_progress(run)
    except Exception as error:
        run.status = InvoiceRun.Status.FAILED
        run.error = str(error)[:2000]
        run.finished_at = timezone.now()
        run.save()
        _tell_run_outcome(run)
        raise
    if skipped_total > len(run.skipped):
        run.skipped.append(["…", f"and {skipped_total - len(run.skipped)} more"])
    run.status = InvoiceRun.Status.DONE
    run.finished_at = timezone.now()
    run.save()
    _tell_run_outcome(run)
    return run


def _tell_run_outcome(run: InvoiceRun) -> None:
    """Who started the run (the monthly job: everyone who manages billing) hears how it
    ended, with a link to its summary."""
    month = run.period.strftime("%B %Y")
    if run.status == InvoiceRun.Status.FAILED:
        message = f"The invoice run for {month} stopped on an error: {run.error}"[:300]
    else:
        made = f"{count_text(run.created_count)} invoice{'s' if run.created_count != 1 else ''}"
        message = f"The invoice run for {month} finished: {made} created"
        if run.skipped:
            message += ", some customers skipped (the summary says why)"
        message += "."
    recipients = [run.started_by] if run.started_by_id else staff_with(Capability.MANAGE_BILLING)
    notify(
        recipients,
        kind=NotificationKind.INVOICE_RUN_FINISHED,
        message=message,
        url=reverse("billing:invoice_run_detail", kwargs={"pk": run.pk}),
    )


def invoice_run_start(
    *, month: date, actor: User | None, issue: bool, notify: bool, today: date | None = None
) -> InvoiceRun:
    """The run's record, before the work starts in the worker (the page shows it at once)."""
    validate_run_month(month, today)
    return InvoiceRun.objects.create(
        period=month, issue=issue, notify=issue and notify, started_by=actor
    )


def _save_progress(run: InvoiceRun) -> None:
    """Progress goes to the database at once (each chunk has committed by now), so the
    page polling the run sees it move."""
    run.save(
        update_fields=[
            "payer_count",
            "processed_count",
            "created_count",
            "existing_count",
            "not_due_count",
            "email_count",
            "drafts_issued_count",
            "skipped",
        ]
    )


def _run_chunk(subscriptions, month, actor, issue, today, notify, issue_drafts) -> dict:
    all_charges = compute_charges(subscriptions, month)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _write_chunk(all_charges, actor, issue, today, notify, issue_drafts)
        except IntegrityError:
            # An invoice for one of these payers was made meanwhile outside a run (a voided
            # invoice's replacement): everything of this chunk was rolled back, numbers
            # included; sort again and retry.
            continue
    raise ValidationError("Invoices for this month kept changing during the run; run it again.")


def _write_chunk(all_charges, actor, issue, today, notify, issue_drafts) -> dict:
    sorted_ = sort_charges(all_charges, today)
    outcome = {
        "created": 0,
        "existing": sorted_.existing,
        "not_due": sorted_.not_due,
        "emails": 0,
        "drafts_issued": 0,
        "payers": len(all_charges),
        "skipped": sorted_.skipped,
    }
    fresh = sorted_.fresh
    draft_ids = sorted_.drafts if issue_drafts else []
    if not fresh and not draft_ids:
        return outcome
    # The counter row is locked and advanced here, in the savepoint of the inserts below.
    if issue:
        settings_row, numbers = _reserve_numbers(len(fresh) + len(draft_ids))
    else:
        settings_row, numbers = BillingSettings.current(), [None] * len(fresh)
    currency = tenant_currency()
    invoices = []
    for charges, number in zip(fresh, numbers[: len(fresh)], strict=True):
        invoice = _new_invoice(charges, settings_row, currency)
        if number:
            _issue_fields(invoice, number, settings_row, today)
        invoices.append(invoice)
    reason = "Issued by the invoice run" if issue else "Drafted by the invoice run"
    if invoices:
        invoices = bulk_create_with_history(
            invoices, Invoice, default_user=actor, default_change_reason=reason
        )
        _save_lines(list(zip(invoices, fresh, strict=True)))
    issued = list(invoices) if issue else []
    if draft_ids:
        issued += _issue_drafts(draft_ids, numbers[len(fresh) :], settings_row, today, actor)
    # Customers' credit (earlier overpayments) is applied to their new invoices in this same
    # transaction: one query for the chunk when nobody has credit.
    credit_apply_to_issued(issued, actor=actor, today=today)
    if anyone_listens("invoice.issued"):
        for invoice in issued:
            _after_issue(invoice, notify=False, emit=True)
    if notify:
        # One statement queues the chunk's emails after commit (not one per invoice).
        from ..tasks import send_invoice_email

        defer_many_after_commit(
            send_invoice_email,
            [
                {"invoice_id": i.pk, "kind": "invoice"}
                for i in issued
                if i.billing_email and i.total > 0
            ],
        )
    outcome["created"] = len(invoices)
    outcome["drafts_issued"] = len(issued) - (len(invoices) if issue else 0)
    outcome["emails"] = sum(1 for i in issued if notify and i.billing_email and i.total > 0)
    if notify:
        outcome["skipped"] = outcome["skipped"] + [
            (i.customer_name, "no billing email: issued but not emailed")
            for i in issued
            if not i.billing_email and i.total > 0
        ]
    return outcome


def _issue_drafts(draft_ids, numbers, settings_row, today, actor) -> list[Invoice]:
    drafts = list(
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk__in=draft_ids, status=InvoiceStatus.DRAFT)
        .order_by("pk")
    )
    if len(drafts) != len(draft_ids):
        raise IntegrityError("A draft changed during the run.")
    by_pk = {d.pk: d for d in drafts}
    ordered = [by_pk[pk] for pk in draft_ids]
    for invoice, number in zip(ordered, numbers, strict=True):
        _issue_fields(invoice, number, settings_row, today)
    bulk_update_with_history(
        ordered,
        Invoice,
        ["number", "issue_date", "due_date", "billing_address", "billing_email"]
        + ["status", "paid_on"],
        default_user=actor,
        default_change_reason="Issued by the invoice run (reviewed draft)",
    )
    return ordered


# --- The preview ----------------------------------------------------------------------------


@dataclass
class RunPreview:
    month: date
    invoice_count: int = 0
    draft_count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    email_count: int = 0
    no_email_count: int = 0
    existing_count: int = 0
    not_due_count: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    skipped_count: int = 0


def invoice_run_preview(*, month: date, today: date | None = None) -> RunPreview:
    """What a run of ``month`` would do now: invoices to make, totals per currency, emails
    that would go out (if chosen), drafts waiting and customers skipped with the reason.
    Reads only."""
    today = today or timezone.localdate()
    validate_run_month(month, today)
    preview = RunPreview(month=month)
    settings_row, currency = BillingSettings.current(), tenant_currency()
    for chunk in chunks(payer_groups(list(invoices_due(month))), run_chunk()):
        sorted_ = sort_charges(compute_charges(chunk, month), today)
        preview.existing_count += sorted_.existing
        preview.not_due_count += sorted_.not_due
        preview.draft_count += len(sorted_.drafts)
        skipped = list(sorted_.skipped)
        # Where each invoice would be emailed, as invoicing.billing_address_of chooses it
        # (the billing contact first): one query for the chunk.
        recipients = invoice_recipients(charges.customer for charges in sorted_.fresh)
        for charges in sorted_.fresh:
            # The totals _new_invoice would store, without building the invoice.
            total = tax.taxed_totals(
                charges.lines,
                customer=charges.customer,
                settings_row=settings_row,
                currency=currency,
            ).total
            preview.invoice_count += 1
            preview.totals[currency] = preview.totals.get(currency, Decimal("0")) + total
            if total > 0:
                if recipients[charges.customer.pk][1]:
                    preview.email_count += 1
                else:
                    preview.no_email_count += 1
                    skipped.append(
                        (charges.customer.name, "no billing email: would not be emailed")
                    )
        preview.skipped_count += len(skipped)
        room = SKIPPED_LISTED - len(preview.skipped)
        preview.skipped.extend(skipped[:room])
    return preview
