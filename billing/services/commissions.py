"""Resellers' commission statements: preparing a month's, and their payout status.

A reseller's clients are its sub-accounts. What a client's commission is computed on is the
tenant's choice (``BillingSettings.commission_basis``):

- **usage**: the usage lines of the invoices issued for the month (their period starts in it;
  not draft, not void) — on the client's own invoices, and on the reseller's consolidated
  invoices the lines of that client (``InvoiceLine.sub_account``). The monthly job runs after
  the month's invoice run, and a Pending statement is refreshed when drafts are issued later;
- **payments**: payments *received* in the month on the client's own invoices, and on the
  reseller's consolidated invoices the client's share of each payment (the share its lines
  have in the invoice's lines, rounded to cents).

The rate is the reseller's (``BillingProfile.commission_rate``) when the statement is made;
the commission is computed per client line (rounded half up to cents) and totalled.

``prepare_commission_statements`` is idempotent: a re-run refreshes Pending statements and
never touches Approved or Paid ones (nor Void ones: a voided statement is replaced by a new
Pending one). Status changes go through one service each, with history and a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from core.formats import count_text, date_text, money_text, percent_text
from core.services import save_with_history
from customers.models import Customer

from .. import money
from ..models import (
    BillingSettings,
    CommissionStatement,
    CommissionStatementLine,
    StatementStatus,
)
from ..selectors import compute_commissions

# Serialises preparing statements in one tenant (the monthly job and a click).
LOCK_KEY = "billing.commission_statements"


def month_is_over(month: date, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return money.add_months(month.replace(day=1), 1) <= today


# --- Preparing a month -------------------------------------------------------------------------


@dataclass
class PrepareResult:
    month: date
    created: int = 0
    refreshed: int = 0
    unchanged: int = 0
    kept: int = 0  # approved or paid: never touched

    def __str__(self) -> str:
        return (
            f"{date_text(self.month, 'YEAR_MONTH_FORMAT')}: "
            f"{count_text(self.created)} {ngettext('statement', 'statements', self.created)} "
            f"made, {count_text(self.refreshed)} refreshed, {count_text(self.unchanged)} "
            f"unchanged, {count_text(self.kept)} approved or paid left as they are."
        )


def check_month(month: date | None) -> date:
    """The first day of a month that is over, or a ValidationError saying why not."""
    if month is None:
        raise ValidationError("Choose a month.")
    month = month.replace(day=1)
    if not month_is_over(month):
        ready = money.add_months(month, 1)
        raise ValidationError(
            f"{month:%B %Y} is not over yet: its commission statements can be prepared "
            f"from {ready:%-d %B %Y}."
        )
    return month


def _signature(statement: CommissionStatement, lines) -> tuple:
    return (
        statement.basis,
        statement.rate,
        statement.base_total,
        statement.total,
        tuple((line[0], line[1], line[2], line[3]) for line in lines),
    )


@transaction.atomic
def prepare_commission_statements(
    *, month: date, actor: User | None, reseller_ids=None
) -> PrepareResult:
    """Make (or refresh) every reseller's commission statement for ``month``, a month that
    is over. Pending statements are recomputed; Approved and Paid ones stay as they are."""
    month = check_month(month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LOCK_KEY])
    basis = BillingSettings.current().commission_basis
    drafts = compute_commissions(month, basis, reseller_ids=reseller_ids)
    existing = {
        (statement.reseller_id, statement.currency): statement
        for statement in CommissionStatement.objects.select_for_update()
        .filter(month=month)
        .exclude(status=StatementStatus.VOID)
        .prefetch_related("lines")
    }
    result = PrepareResult(month)
    new_lines = []
    names = dict(
        Customer.objects.filter(pk__in={draft.reseller_id for draft in drafts}).values_list(
            "pk", "name"
        )
    )
    for draft in drafts:
        statement = existing.get((draft.reseller_id, draft.currency))
        if statement is not None and statement.status != StatementStatus.PENDING:
            result.kept += 1
            continue
        if statement is not None:
            before = _signature(
                statement,
                [
                    (line.client_id, line.client_name, line.base_amount, line.commission)
                    for line in statement.lines.all()
                ],
            )
            statement.basis, statement.rate = basis, draft.rate
            statement.base_total, statement.total = draft.base_total, draft.total
            if _signature(statement, draft.lines) == before:
                result.unchanged += 1
                continue
            statement.refreshed_at = timezone.now()
            save_with_history(statement, actor=actor, reason="Commission statement refreshed")
            statement.lines.all().delete()
            result.refreshed += 1
        else:
            statement = CommissionStatement(
                reseller_id=draft.reseller_id,
                reseller_name=names.get(draft.reseller_id, ""),
                month=month,
                basis=basis,
                rate=draft.rate,
                currency=draft.currency,
                base_total=draft.base_total,
                total=draft.total,
                prepared_by=actor,
            )
            save_with_history(statement, actor=actor, reason="Commission statement prepared")
            result.created += 1
        new_lines += [
            CommissionStatementLine(
                statement=statement,
                client_id=client,
                client_name=name,
                base_amount=base,
                commission=commission,
            )
            for client, name, base, commission in draft.lines
        ]
    CommissionStatementLine.objects.bulk_create(new_lines)
    return result


# --- Payout status -----------------------------------------------------------------------------


def _notify_reseller(statement: CommissionStatement, news: str) -> None:
    """An email to whom the reseller's invoices go, once the change is committed."""
    from accounts.tasks import send_email
    from core.tasks import defer_after_commit
    from customers.services_contacts import invoice_recipient

    address = invoice_recipient(statement.reseller)[1] if statement.reseller_id else ""
    if not address:
        return
    amount = money_text(statement.total, statement.currency)
    defer_after_commit(
        send_email,
        subject=f"Your commission for {date_text(statement.month, 'YEAR_MONTH_FORMAT')} {news}",
        body=(
            f"Your commission statement for {date_text(statement.month, 'YEAR_MONTH_FORMAT')} "
            f"{news}: {amount} ({percent_text(statement.rate)} of "
            f"{money_text(statement.base_total, statement.currency)})."
            "\n\nYour company portal shows it with a line per client (Commissions)."
        ),
        to=[address],
    )


def _locked(statement: CommissionStatement) -> CommissionStatement:
    return CommissionStatement.objects.select_for_update().get(pk=statement.pk)


def _refuse_unless(statement: CommissionStatement, allowed: tuple[str, ...], doing: str) -> None:
    if statement.status in allowed:
        return
    if statement.status == StatementStatus.VOID:
        raise ValidationError(f"This statement is void: it cannot be {doing}.")
    if statement.status == StatementStatus.PAID:
        raise ValidationError(
            f"This statement was paid on {statement.paid_on:%-d %B %Y}: it cannot be {doing}."
        )
    if statement.status == StatementStatus.APPROVED:
        raise ValidationError(f"This statement is already approved: it cannot be {doing}.")
    raise ValidationError(f"Approve this statement first: a pending one cannot be {doing}.")


@transaction.atomic
def commission_statement_approve(
    *, statement: CommissionStatement, actor: User | None, reason: str = ""
) -> CommissionStatement:
    """Pending → Approved: the amounts are final and the reseller sees the statement."""
    statement = _locked(statement)
    _refuse_unless(statement, (StatementStatus.PENDING,), "approved")
    statement.status = StatementStatus.APPROVED
    save_with_history(statement, actor=actor, reason=reason.strip()[:100] or "Approved")
    _notify_reseller(statement, "is approved")
    return statement


@transaction.atomic
def commission_statement_mark_paid(
    *,
    statement: CommissionStatement,
    actor: User | None,
    paid_on: date | None,
    reference: str = "",
    reason: str = "",
) -> CommissionStatement:
    """Approved → Paid, on the day the commission was paid out, with the transfer's
    reference."""
    statement = _locked(statement)
    _refuse_unless(statement, (StatementStatus.APPROVED,), "paid")
    if paid_on is None:
        raise ValidationError({"paid_on": "Enter the date the commission was paid."})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "The payment date cannot be in the future."})
    if paid_on < statement.month:
        raise ValidationError(
            {"paid_on": f"The payment date cannot be before {statement.month:%B %Y}."}
        )
    statement.status = StatementStatus.PAID
    statement.paid_on = paid_on
    statement.payment_reference = (reference or "").strip()[:100]
    save_with_history(statement, actor=actor, reason=reason.strip()[:100] or "Paid out")
    _notify_reseller(statement, f"was paid on {paid_on:%-d %B %Y}")
    return statement


@transaction.atomic
def commission_statement_void(
    *, statement: CommissionStatement, actor: User | None, reason: str
) -> CommissionStatement:
    """Pending or Approved → Void (a paid statement stays paid). Preparing the month again
    makes a new Pending statement in its place."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this statement is void."})
    statement = _locked(statement)
    _refuse_unless(statement, (StatementStatus.PENDING, StatementStatus.APPROVED), "voided")
    statement.status = StatementStatus.VOID
    statement.void_reason = reason[:300]
    return save_with_history(statement, actor=actor, reason=f"Void: {reason}"[:100])
