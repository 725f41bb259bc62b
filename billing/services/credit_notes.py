"""Credit notes against issued invoices, and customer credit (overpayments kept, applied to
invoices automatically or by hand).

- ``credit_note_create``: part of an invoice (an amount, or chosen lines and quantities) or
  all of what is still due, with a reason. Its number comes from its own sequence, reserved
  in the savepoint of its insert (a rollback hands it back: no gaps). Tax follows the
  invoice's lines. The invoice's balance drops (never below zero), its history names the
  actor and the reason, the billing contact gets the credit note's PDF after commit, and a
  suspension the invoice caused lifts at once (dunning's ``settle_suspension``).
- The credit ledger: ``credit_add_overpayment`` (called by payments), ``credit_apply`` (staff,
  by hand) and ``credit_apply_to_issued`` (the invoice run and issuing a draft, in their
  transaction).

What settles an invoice adds to ``Invoice.amount_paid`` (see models_credit.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from core.formats import money_text
from core.services import save_with_history
from core.tasks import defer_after_commit

from .. import money, tax
from ..models import Invoice, InvoiceLine, InvoiceStatus
from ..models_credit import (
    CreditNote,
    CreditNoteLine,
    CreditNoteSequence,
    CreditSource,
    CustomerCredit,
)
from ..tasks_credit import send_credit_note_email  # the worker knows it through here
from .dunning import settle_suspension

REASON_MAX = 300
CREDITABLE = [InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERDUE]


# --- Parsing what the user asked for ---------------------------------------------------------


def parse_amount(value, field: str = "amount") -> Decimal:
    """A positive amount of money from a Decimal, int or string; anything else is a clear
    message on ``field``."""
    if isinstance(value, float):
        raise ValidationError({field: "Enter the amount as a decimal number, e.g. 120.50."})
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field: "Enter the amount as a number, e.g. 120.50."})
    if amount.as_tuple().exponent < -2 or abs(amount) >= Decimal("1e12"):
        raise ValidationError({field: "Enter an amount in cents at most, below a trillion."})
    if amount <= 0:
        raise ValidationError({field: "Enter an amount greater than zero."})
    return money.to_money(amount)


def parse_quantity(value, field: str) -> Decimal:
    try:
        quantity = Decimal(str(value).strip()) if value not in (None, "") else Decimal("0")
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Enter a quantity as a number."}) from None
    if not quantity.is_finite() or quantity < 0:
        raise ValidationError({field: "Enter a quantity of zero or more."})
    if quantity.as_tuple().exponent < -3 or quantity >= Decimal("1e12"):
        raise ValidationError({field: "Enter a quantity with at most three decimals."})
    return quantity


# --- Building the lines ---------------------------------------------------------------------


@dataclass
class _Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    tax_name: str
    tax_rate: Decimal
    tax_amount: Decimal
    invoice_line: InvoiceLine | None = None


def credited_so_far(invoice: Invoice) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Per invoice line: quantity, amount and tax already credited (one query)."""
    return {
        row["invoice_line_id"]: (row["quantity"], row["amount"], row["tax"])
        for row in CreditNoteLine.objects.filter(
            credit_note__invoice=invoice, invoice_line__isnull=False
        )
        .values("invoice_line_id")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"), tax=Sum("tax_amount"))
    }


def _lines_for_quantities(invoice: Invoice, quantities: Mapping[int, Decimal]) -> list[_Line]:
    """Chosen invoice lines, each for a quantity up to what is not credited yet; the amount is
    the line's share (the rest of the line, exactly, when the rest is credited) and the tax
    is computed on it with the line's rate."""
    lines = {line.pk: line for line in invoice.lines.all()}
    done = credited_so_far(invoice)
    result = []
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise ValidationError({"lines": "Choose lines of this invoice."})
        if quantity == 0:
            continue
        credited_qty, credited_amount, credited_tax = done.get(
            line_id, (Decimal("0"), Decimal("0"), Decimal("0"))
        )
        left = line.quantity - credited_qty
        if quantity > left:
            raise ValidationError(
                {
                    "lines": f"“{line.description}”: at most {money.plain(left)} can still be "
                    f"credited (of {money.plain(line.quantity)})."
                }
            )
        if quantity == left or line.quantity == 0:
            amount = line.amount - credited_amount
            line_tax = line.tax_amount - credited_tax
        else:
            amount = money.to_money(line.amount * quantity / line.quantity)
            line_tax = (
                tax.line_tax(amount, line.tax_rate, invoice.currency)
                if line.tax_name
                else money.ZERO
            )
        if amount <= 0:
            continue
        result.append(
            _Line(
                description=line.description,
                quantity=quantity,
                unit_price=line.unit_price,
                amount=amount,
                tax_name=line.tax_name,
                tax_rate=line.tax_rate,
                tax_amount=line_tax,
                invoice_line=line,
            )
        )
    if not result:
        raise ValidationError({"lines": "Choose at least one line and a quantity to credit."})
    return result


def _lines_for_amount(invoice: Invoice, gross: Decimal) -> list[_Line]:
    """A gross amount (tax included) split over the invoice's taxes in proportion to what
    each carries, the last taking the rounding rest; within each, the net and the tax."""
    groups: dict[tuple[str, Decimal], Decimal] = {}
    for line in invoice.lines.all():
        key = (line.tax_name, Decimal(line.tax_rate) if line.tax_name else Decimal("0"))
        groups[key] = groups.get(key, money.ZERO) + line.amount + line.tax_amount
    if not groups or sum(groups.values()) <= 0:
        # No lines (an invoice from before lines were kept): the invoice's own tax share.
        rate = invoice.tax_rate if invoice.tax else Decimal("0")
        groups = {("Tax" if invoice.tax else "", rate): invoice.total or gross}
    whole = sum(groups.values())
    label = f"Credit on invoice {invoice.number}"
    result, rest = [], gross
    items = [(key, value) for key, value in groups.items() if value > 0]
    for index, ((name, rate), value) in enumerate(items):
        share = rest if index == len(items) - 1 else money.to_money(gross * value / whole)
        rest -= share
        if name and rate:
            net = (share * 100 / (100 + rate)).quantize(money.CENT, rounding=ROUND_HALF_UP)
        else:
            net = share
        suffix = f" ({name} {money.plain(rate)}%)" if len(items) > 1 and name else ""
        result.append(
            _Line(
                description=label + suffix,
                quantity=Decimal("1"),
                unit_price=net,
                amount=net,
                tax_name=name,
                tax_rate=rate,
                tax_amount=share - net,
            )
        )
    return [line for line in result if line.amount + line.tax_amount > 0]


# --- Numbers --------------------------------------------------------------------------------


def _reserve_credit_number() -> str:
    """Lock the credit note counter and take the next number; call it inside the savepoint of
    the insert it numbers (a rollback gives the number back)."""
    table = CreditNoteSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, prefix, next_number) VALUES (1, 'CN-', 1) "
            "ON CONFLICT (id) DO NOTHING"
        )
    row = CreditNoteSequence.objects.select_for_update().get(pk=1)
    number = f"{row.prefix}{row.next_number:06d}"
    row.next_number += 1
    row.save(update_fields=["next_number"])
    return number


# --- Credit notes ---------------------------------------------------------------------------


@transaction.atomic
def credit_note_create(
    *,
    invoice_id: int,
    reason: str,
    actor: User | None,
    amount: Decimal | str | None = None,
    lines: Mapping[int, Decimal | str] | None = None,
    full: bool = False,
    today: date | None = None,
    notify: bool = True,
) -> CreditNote:
    """Credit part or all of an issued invoice: ``amount`` (tax included, split like the
    invoice's taxes), ``lines`` (invoice line id → quantity) or ``full`` (all that is still
    due). Refused, with nothing written: a draft or void invoice, no reason, a bad amount or
    quantity, or a credit above the invoice's balance."""
    today = today or timezone.localdate()
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=invoice_id)
    )
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        raise ValidationError(
            f"This invoice is {invoice.get_status_display().lower()}: credit notes are made "
            "for issued invoices only."
        )
    reason = (reason or "").strip()  # kept as written
    if not reason:
        raise ValidationError({"reason": "Say why the invoice is credited (it is printed)."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX} characters."})
    if invoice.status not in CREDITABLE or invoice.balance <= 0:
        raise ValidationError(
            "Nothing is due on this invoice any more: there is nothing left to credit."
        )
    chosen = sum(1 for given in (amount not in (None, ""), bool(lines), full) if given)
    if chosen != 1:
        raise ValidationError("Credit either an amount, chosen lines, or the full balance.")
    if full:
        built = []
        if invoice.amount_paid == 0 and invoice.lines.exists():
            # Nothing settled yet: every line as it is, so the credit note mirrors the invoice.
            try:
                built = _lines_for_quantities(
                    invoice, {line.pk: line.quantity for line in invoice.lines.all()}
                )
            except ValidationError:
                built = []
        if money.total(line.amount + line.tax_amount for line in built) != invoice.balance:
            built = _lines_for_amount(invoice, invoice.balance)
    elif lines:
        quantities = {
            int(line_id): parse_quantity(quantity, "lines") for line_id, quantity in lines.items()
        }
        built = _lines_for_quantities(invoice, quantities)
    else:
        gross = parse_amount(amount)
        if gross > invoice.balance:
            raise _above_balance(invoice, gross)
        built = _lines_for_amount(invoice, gross)
    subtotal = money.total(line.amount for line in built)
    tax_total = money.total(line.tax_amount for line in built)
    total = subtotal + tax_total
    if total > invoice.balance:
        raise _above_balance(invoice, total)
    if total <= 0:
        raise ValidationError("This credit note would credit nothing.")
    with transaction.atomic():  # the number and the insert it numbers: one savepoint
        note = CreditNote(
            invoice=invoice,
            customer=invoice.customer,
            customer_name=invoice.customer_name,
            number=_reserve_credit_number(),
            issue_date=today,
            reason=reason,
            currency=invoice.currency,
            subtotal=subtotal,
            tax=tax_total,
            total=total,
            created_by=actor,
        )
        save_with_history(
            note, actor=actor, reason=_why(f"Credit note for {invoice.number}: {reason}")
        )
        CreditNoteLine.objects.bulk_create(
            CreditNoteLine(
                credit_note=note,
                position=position,
                invoice_line=line.invoice_line,
                description=line.description[:300],
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                tax_name=line.tax_name,
                tax_rate=line.tax_rate,
                tax_amount=line.tax_amount,
            )
            for position, line in enumerate(built)
        )
    _settle(invoice, total, today)
    save_with_history(
        invoice,
        actor=actor,
        reason=_why(f"Credit note {note.number} of {total} {invoice.currency}: {reason}"),
    )
    if notify:
        defer_after_commit(send_credit_note_email, credit_note_id=note.pk)
    settle_suspension(invoice, actor=actor)
    return note


def _why(text: str) -> str:
    """A history reason fits its column (100 characters)."""
    return text if len(text) <= 100 else text[:99] + "…"


def _above_balance(invoice: Invoice, total: Decimal) -> ValidationError:
    return ValidationError(
        {
            "amount": f"A credit note above the invoice balance is not possible: the balance "
            f"of {invoice.number} is {money_text(invoice.balance, invoice.currency)}, this credit "
            f"note would be {money_text(total, invoice.currency)}."
        }
    )


def _settle(invoice: Invoice, amount: Decimal, today: date) -> None:
    """``amount`` more of the invoice is settled (a credit note, applied credit)."""
    invoice.amount_paid += amount
    if invoice.balance == 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_on = today
    elif invoice.status == InvoiceStatus.ISSUED:
        invoice.status = InvoiceStatus.PARTIALLY_PAID


# --- Customer credit ------------------------------------------------------------------------


def _lock_ledger(customer_id: int) -> None:
    """One writer at a time per customer's credit (held until the transaction ends)."""
    key = f"billing.credit:{connection.schema_name}:{customer_id}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def available_credit(customer_id: int, currency: str) -> Decimal:
    total = CustomerCredit.objects.filter(customer_id=customer_id, currency=currency).aggregate(
        total=Sum("amount")
    )["total"]
    return total or money.ZERO


def credit_balances(customer_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """Available credit per customer and currency, only where some is left (one query)."""
    result: dict[int, dict[str, Decimal]] = {}
    for customer_id, currency, total in (
        CustomerCredit.objects.filter(customer_id__in=list(customer_ids))
        .values("customer_id", "currency")
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
        .values_list("customer_id", "currency", "total")
    ):
        result.setdefault(customer_id, {})[currency] = total
    return result


def credit_add_overpayment(
    *, invoice: Invoice, payment, amount: Decimal, actor: User | None
) -> CustomerCredit:
    """Keep the excess of a payment over the balance as the customer's credit (inside the
    payment's transaction)."""
    if invoice.customer_id is None:
        raise ValidationError(
            {"amount": "This invoice's customer was purged: an overpayment cannot be kept."}
        )
    _lock_ledger(invoice.customer_id)
    entry = CustomerCredit(
        customer_id=invoice.customer_id,
        source=CreditSource.OVERPAYMENT,
        amount=amount,
        currency=invoice.currency,
        payment=payment,
        invoice=invoice,
        created_by=actor,
    )
    return save_with_history(
        entry,
        actor=actor,
        reason=f"Overpayment of {invoice.number or 'an invoice'} kept as credit",
    )


def _apply(invoice: Invoice, amount: Decimal, actor: User | None, today: date, why: str):
    entry = CustomerCredit(
        customer_id=invoice.customer_id,
        source=CreditSource.APPLIED,
        amount=-amount,
        currency=invoice.currency,
        invoice=invoice,
        created_by=actor,
    )
    save_with_history(entry, actor=actor, reason=f"Applied to {invoice.number}")
    _settle(invoice, amount, today)
    save_with_history(
        invoice, actor=actor, reason=f"Credit of {amount} {invoice.currency} applied ({why})"
    )
    return entry


@transaction.atomic
def credit_apply(
    *,
    invoice_id: int,
    actor: User | None,
    amount: Decimal | str | None = None,
    today: date | None = None,
) -> CustomerCredit:
    """Staff apply the customer's available credit to an open invoice: ``amount`` or as much
    as both allow."""
    today = today or timezone.localdate()
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)
    if invoice.status not in CREDITABLE or invoice.balance <= 0:
        raise ValidationError("Credit is applied to open invoices with a balance.")
    if invoice.customer_id is None:
        raise ValidationError("This invoice's customer was purged; it has no credit.")
    _lock_ledger(invoice.customer_id)
    available = available_credit(invoice.customer_id, invoice.currency)
    if available <= 0:
        raise ValidationError(f"{invoice.customer_name} has no credit in {invoice.currency}.")
    wanted = min(available, invoice.balance) if amount in (None, "") else parse_amount(amount)
    if wanted > available:
        raise ValidationError(
            {"amount": f"Only {money_text(available, invoice.currency)} of credit is available."}
        )
    if wanted > invoice.balance:
        raise ValidationError(
            {
                "amount": f"The balance is {money_text(invoice.balance, invoice.currency)}: "
                "apply at most that."
            }
        )
    entry = _apply(invoice, wanted, actor, today, "by hand")
    settle_suspension(invoice, actor=actor)
    return entry


def credit_apply_to_issued(
    invoices: list[Invoice], *, actor: User | None, today: date | None = None
) -> int:
    """Inside the issuing transaction: each freshly issued invoice whose customer has credit
    in its currency gets it applied (one query when nobody has credit). Returns how many."""
    open_ = [i for i in invoices if i.customer_id and i.balance > 0 and i.status in CREDITABLE]
    if not open_:
        return 0
    balances = credit_balances({i.customer_id for i in open_})
    if not balances:
        return 0
    today = today or timezone.localdate()
    applied = 0
    for invoice in open_:
        if invoice.currency not in balances.get(invoice.customer_id, {}):
            continue
        _lock_ledger(invoice.customer_id)
        available = available_credit(invoice.customer_id, invoice.currency)
        amount = min(available, invoice.balance)
        if amount > 0:
            _apply(invoice, amount, actor, today, "automatically when issued")
            applied += 1
    return applied
