"""Payments: money received against an invoice, and the monthly collections the dashboard
charts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from core.events import emit_event
from core.formats import money_text
from core.services import save_with_history
from core.tasks import defer_after_commit

from .. import money
from ..models import Invoice, InvoiceStatus, MonthlyCollections, Payment
from .credit_notes import credit_add_overpayment, parse_amount
from .dunning import lift_suspension_if_settled


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
    currency: str | None = None,
) -> Payment:
    """Record money received. The invoice row is locked, so two people recording at once
    cannot pay it twice over; what is paid above the balance is kept as the customer's
    credit (applied to its next invoice). A payment in another currency than the invoice's
    is refused."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if not invoice.is_open:
        raise ValidationError(
            f"This invoice is {invoice.get_status_display().lower()}; payments go against "
            "issued, partially paid or overdue invoices."
        )
    if currency not in (None, "") and str(currency).strip().upper() != invoice.currency:
        raise ValidationError(
            {
                "currency": f"Invoice {invoice.number} is in {invoice.currency}; a payment in "
                f"{str(currency).strip()[:3].upper()} cannot be recorded against it. Convert it first."
            }
        )
    amount = parse_amount(amount)
    excess = max(amount - invoice.balance, money.ZERO)
    if excess and invoice.customer_id is None:
        raise ValidationError(
            {
                "amount": f"The balance is {money_text(invoice.balance, invoice.currency)}; the customer "
                "was purged, so an overpayment cannot be kept as credit."
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
    invoice.amount_paid += amount - excess
    if excess:
        credit_add_overpayment(invoice=invoice, payment=payment, amount=excess, actor=actor)
    if invoice.balance == 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_on = paid_on
    elif invoice.status != InvoiceStatus.OVERDUE:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    save_with_history(
        invoice,
        actor=actor,
        reason=f"Payment of {amount} {invoice.currency} recorded ({payment.get_method_display()})"
        + (f", {excess} kept as credit" if excess else ""),
    )
    from ..tasks import send_invoice_email

    if notify and invoice.billing_email:
        defer_after_commit(send_invoice_email, invoice_id=invoice.pk, kind="receipt")
    if invoice.status == InvoiceStatus.PAID:
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
