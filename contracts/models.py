"""Contracts: what a company signed with the provider — its kind (retainer, block of hours,
usage-based, one-time), its term and how it renews, its value and billing frequency, the
signed copy (a document of the customer), the service level it promises and, for a block of
hours, the hours it includes and the rate of the hours beyond them.

A contract's renewal dates are derived, never stored twice: the notice deadline is
``end_date - notice_days`` and the reminder goes ``reminder_days`` before that deadline.
``reminded_for`` is the end date the last reminder was sent for, so each term is reminded
once; an automatic renewal moves ``end_date`` on by ``renewal_months``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .querysets import ContractQuerySet


class ContractKind(models.TextChoices):
    RETAINER = "retainer", "Retainer"
    BLOCK_OF_HOURS = "block", "Block of hours"
    USAGE = "usage", "Usage-based"
    ONE_TIME = "one_time", "One-time"


class BillingFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUALLY = "annually", "Annually"
    ONCE = "once", "Once"


class ContractState(models.TextChoices):
    """Derived from the dates and the termination (ContractQuerySet.in_state)."""

    UPCOMING = "upcoming", "Upcoming"
    ACTIVE = "active", "Active"
    RENEWAL_DUE = "renewal_due", "Renewal due"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"


STATE_BADGES = {
    ContractState.UPCOMING: "text-bg-info",
    ContractState.ACTIVE: "text-bg-success",
    ContractState.RENEWAL_DUE: "text-bg-warning",
    ContractState.EXPIRED: "text-bg-secondary",
    ContractState.TERMINATED: "text-bg-dark",
}
MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Contract(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="contracts"
    )
    name = models.CharField(max_length=200, help_text="E.g. “Managed services 2027”.")
    kind = models.CharField("type", max_length=10, choices=ContractKind)
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="Leave empty for a contract that runs until ended."
    )
    auto_renew = models.BooleanField(
        "renews automatically",
        default=False,
        help_text="At its end the term starts again for the renewal period.",
    )
    renewal_months = models.PositiveSmallIntegerField(
        "renewal period (months)", default=12, validators=[MinValueValidator(1)]
    )
    notice_days = models.PositiveSmallIntegerField(
        "notice period (days)",
        default=30,
        help_text="How long before the end either side must give notice.",
    )
    reminder_days = models.PositiveSmallIntegerField(
        "remind (days before notice)",
        default=30,
        help_text="The owner is emailed this many days before the notice period begins.",
    )
    value = models.DecimalField(
        "contract value", **MONEY, default=Decimal(0), help_text="For the whole term."
    )
    billing_frequency = models.CharField(
        max_length=10, choices=BillingFrequency, default=BillingFrequency.MONTHLY
    )
    hours_included = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25"))],
        help_text="Block of hours: the hours of ticket work the term includes.",
    )
    overage_rate = models.DecimalField(
        "overage rate (per hour)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Block of hours: billed per hour beyond the block in the monthly run.",
    )
    sla_policy = models.ForeignKey(
        "tickets.SlaPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name="service level",
        help_text="While the contract is active the company's tickets follow it.",
    )
    signed_document = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_contracts",
        verbose_name="account owner",
        help_text="Gets the renewal reminder.",
    )
    notes = models.TextField(blank=True, max_length=5000, help_text="Special agreements.")
    terminated_on = models.DateField(null=True, blank=True, editable=False)
    termination_reason = models.CharField(max_length=200, blank=True, editable=False)
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    # The first day of the current term once the contract has renewed (else the start).
    term_started_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contract_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-start_date"], name="contract_customer"),
            models.Index(
                fields=["end_date"],
                name="contract_running_end",
                condition=Q(terminated_on__isnull=True, end_date__isnull=False),
            ),
            models.Index(fields=["kind", "-start_date"], name="contract_kind"),
            # Search by name: the expression Django's icontains compares (UPPER … LIKE).
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="contract_name_uc_trgm"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contracts:contract_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"C-{self.pk}"

    def webhook_data(self) -> dict:
        return {
            "name": self.name,
            "reference": self.reference,
            "customer_id": self.customer_id,
            "kind": self.kind,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "notice_deadline": self.notice_deadline,
            "auto_renew": self.auto_renew,
            "value": self.value,
        }

    @property
    def notice_deadline(self) -> date | None:
        """The last day notice can be given before the term ends."""
        return self.end_date - timedelta(days=self.notice_days) if self.end_date else None

    @property
    def reminder_date(self) -> date | None:
        deadline = self.notice_deadline
        return deadline - timedelta(days=self.reminder_days) if deadline else None

    def state(self, today: date) -> ContractState:
        if self.terminated_on and self.terminated_on <= today:
            return ContractState.TERMINATED
        if self.start_date > today:
            return ContractState.UPCOMING
        if self.end_date and self.end_date < today:
            return ContractState.EXPIRED
        if self.reminder_date and self.reminder_date <= today:
            return ContractState.RENEWAL_DUE
        return ContractState.ACTIVE

    @property
    def term_start(self) -> date:
        return self.term_started_on or self.start_date

    @property
    def is_block(self) -> bool:
        return self.kind == ContractKind.BLOCK_OF_HOURS
