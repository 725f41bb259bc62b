"""Staged dunning: the tenant's policy and a customer's override (one model: ``customer`` empty
for the tenant's row), and the reminders and final notices already sent (once per invoice and
stage). The overdue notice keeps ``Invoice.overdue_notice_sent_at``; the tenant's suspension
limit stays ``BillingSettings.suspend_after_days`` (its settings page), which a customer's
override replaces."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class DunningStage(models.TextChoices):
    REMINDER = "reminder", "Reminder before due"
    OVERDUE = "overdue", "Overdue notice"
    FINAL = "final", "Final notice"
    SUSPENSION = "suspension", "Suspension"


def _days(label: str, help_text: str, maximum: int = 365):
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MaxValueValidator(maximum)],
        help_text=help_text,
    )


class DunningPolicy(models.Model):
    """The stages' timing. Empty on a customer's row: the tenant's; 0: the stage is off."""

    customer = models.OneToOneField(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dunning_policy",
    )
    reminder_days_before_due = _days(
        "reminder (days before due)", "A reminder this many days before the due date; 0: none.", 60
    )
    final_notice_after_days = _days(
        "final notice (days overdue)", "A final notice this many days past due; 0: none."
    )
    suspend_after_days = _days(
        "suspend after (days overdue)",
        "Suspend the account this many days past due; 0: never. Empty: the billing settings'.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "dunning policy"
        verbose_name_plural = "dunning policies"
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], nulls_distinct=False, name="one_dunning_policy_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"Dunning of {self.customer}" if self.customer_id else "Dunning policy"


class DunningNotice(models.Model):
    """A reminder or final notice sent for an invoice: never twice."""

    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.CASCADE, related_name="dunning_notices"
    )
    stage = models.CharField(max_length=20, choices=DunningStage)
    sent_to = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "stage"], name="one_dunning_notice_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} for {self.invoice}"
