"""Resellers' monthly commission statements: what a reseller earned on its clients in one
month, one line per client, and whether it was paid out (Pending → Approved → Paid, or Void).

Statements are made by ``services.commissions.prepare_commission_statements`` on the basis the
tenant chose (``BillingSettings.commission_basis``): the clients' usage charges invoiced for
the month, or the payments received in the month. Money is Decimal; a statement
is in one currency (a reseller whose clients paid in two currencies gets two)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.querysets import ScopedQuerySet

from .querysets import BILLING_ACTIONS


class CommissionBasis(models.TextChoices):
    PAYMENTS = "payments", "Payments received from the clients in the month"
    USAGE = "usage", "Clients' usage charges invoiced for the month"


class StatementStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


STATEMENT_BADGES = {
    StatementStatus.PENDING: "text-bg-warning",
    StatementStatus.APPROVED: "text-bg-info",
    StatementStatus.PAID: "text-bg-success",
    StatementStatus.VOID: "text-bg-secondary",
}
# What a reseller sees in its portal: a Pending statement may still change (like a draft
# invoice), so it appears once approved.
SHOWN_TO_RESELLER = (StatementStatus.APPROVED, StatementStatus.PAID, StatementStatus.VOID)

RATE = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}
AMOUNT = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}


class CommissionStatementQuerySet(ScopedQuerySet):
    """A reseller's statements: staff read them, billing managers change them; a customer
    user of the reseller reads them (the portal page asks for the billing permission)."""

    scope_paths = ("reseller",)
    staff_actions = BILLING_ACTIONS
    portal_actions = {"view": "view_billing"}

    def for_list(self) -> CommissionStatementQuerySet:
        return self.select_related("reseller").annotate(client_count=models.Count("lines"))


class CommissionStatement(models.Model):
    reseller = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commission_statements",
    )
    reseller_name = models.CharField(max_length=200, editable=False, default="")
    month = models.DateField(help_text="First day of the month.")
    basis = models.CharField(max_length=10, choices=CommissionBasis)
    rate = models.DecimalField("commission (%)", **RATE)
    currency = models.CharField(max_length=3, default="USD")
    base_total = models.DecimalField(**AMOUNT)
    total = models.DecimalField("commission", **AMOUNT)
    status = models.CharField(
        max_length=10, choices=StatementStatus, default=StatementStatus.PENDING
    )
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = CommissionStatementQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "reseller_name", "currency", "-pk"]
        indexes = [models.Index(fields=["month", "status"], name="commission_month_status")]
        constraints = [
            # One live statement per reseller, month and currency; a voided one may be
            # prepared again.
            models.UniqueConstraint(
                fields=["reseller", "month", "currency"],
                condition=~models.Q(status="void"),
                name="one_commission_statement_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lte=100), name="commission_rate_percent"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False),
                name="commission_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Commission of {self.reseller_name}, {self.month:%B %Y} ({self.currency})"

    def get_absolute_url(self) -> str:
        return reverse("billing:commission_statement_detail", kwargs={"pk": self.pk})

    @property
    def status_badge_class(self) -> str:
        return STATEMENT_BADGES[self.status]


class CommissionStatementLine(models.Model):
    """One client of the reseller: its base amount in the month and the commission on it."""

    statement = models.ForeignKey(
        CommissionStatement, on_delete=models.CASCADE, related_name="lines"
    )
    client = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_name = models.CharField(max_length=200)
    base_amount = models.DecimalField(**AMOUNT)
    commission = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["statement", "client_name", "pk"]

    def __str__(self) -> str:
        return f"{self.client_name}: {self.commission}"
