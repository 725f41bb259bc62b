"""Credit notes and customer credit. Imported by models.py, so Django finds them there.

- A **credit note** reduces an issued invoice's balance (part of it or all of it), with its
  own gap-free number sequence (``CreditNoteSequence``, locked like the invoice counter), its
  lines taxed like the invoice's, a reason and history.
- **Customer credit** is a ledger: an overpayment adds an entry (the excess of a payment over
  the balance), applying credit to an invoice adds a negative entry naming the invoice. The
  available credit of a customer is the sum of its entries in a currency.

What settles an invoice is kept on ``Invoice.amount_paid`` (payments, credit notes and
applied credit together), so the balance, the overdue queries and the partial index of open
invoices read one column; the document splits it again for print (billing.pdf)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.policies import Capability
from core.querysets import STAFF_ACTIONS, ScopedQuerySet

from .models_tax import LineTaxFields

BILLING_CHANGE = {**STAFF_ACTIONS, "change": Capability.MANAGE_BILLING}


class CreditNoteQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    staff_actions = BILLING_CHANGE


class CustomerCreditQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    staff_actions = BILLING_CHANGE


class CreditNoteSequence(models.Model):
    """One row per tenant: the credit note counter, apart from the invoices' (its own prefix,
    its own numbers). Locked while a credit note is numbered; a rollback gives it back."""

    prefix = models.CharField(max_length=12, default="CN-", blank=True)
    next_number = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "credit note sequence"

    def __str__(self) -> str:
        return f"{self.prefix}{self.next_number:06d} next"


class CreditNote(models.Model):
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, related_name="credit_notes"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_notes",
    )
    customer_name = models.CharField(max_length=200, editable=False, default="")
    number = models.CharField(max_length=30, unique=True, editable=False)
    issue_date = models.DateField()
    reason = models.CharField(max_length=300)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    tax = models.DecimalField(max_digits=14, decimal_places=2)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CreditNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-pk"]
        indexes = [
            models.Index(fields=["invoice"], name="credit_note_invoice"),
            models.Index(fields=["customer", "issue_date"], name="credit_note_customer"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gt=0), name="credit_note_positive")
        ]

    def __str__(self) -> str:
        return f"Credit note {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("billing:credit_note_detail", kwargs={"pk": self.pk})


class CreditNoteLine(LineTaxFields, models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        "billing.InvoiceLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_lines",
    )
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal("1"))
    unit_price = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["credit_note", "position"]

    def __str__(self) -> str:
        return self.description


class CreditSource(models.TextChoices):
    OVERPAYMENT = "overpayment", "Overpayment"
    APPLIED = "applied", "Applied to an invoice"


class CustomerCredit(models.Model):
    """One entry of a customer's credit ledger: positive for credit received (an
    overpayment), negative for credit applied to an invoice."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="credit_entries"
    )
    source = models.CharField(max_length=20, choices=CreditSource)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    payment = models.ForeignKey(
        "billing.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_entries",
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_entries",
        help_text="The invoice the credit came from (overpayment) or was applied to.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CustomerCreditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "customer credit entry"
        verbose_name_plural = "customer credit entries"
        indexes = [models.Index(fields=["customer", "currency"], name="customer_credit_ledger")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(source="applied") & models.Q(amount__lt=0))
                | (~models.Q(source="applied") & models.Q(amount__gt=0)),
                name="customer_credit_sign",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.amount} {self.currency}"

    @property
    def applied_amount(self) -> Decimal:
        return -self.amount
