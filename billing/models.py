"""Projects (and, later, plans, subscriptions and invoices). Financial records outlive the
customer: a purged customer leaves its projects with a snapshot of its name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .querysets import ProjectQuerySet


class ProjectStatus(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    ACTIVE = "active", "Active"
    PAST = "past", "Past"
    CANCELLED = "cancelled", "Cancelled"


PROJECT_STATUS_BADGES = {
    ProjectStatus.UPCOMING: "text-bg-primary",
    ProjectStatus.ACTIVE: "text-bg-success",
    ProjectStatus.PAST: "text-bg-secondary",
    ProjectStatus.CANCELLED: "text-bg-dark",
}
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Project(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    customer_name = models.CharField(
        max_length=200, editable=False, default="", help_text="Kept if the customer is purged."
    )
    name = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty for open-ended work.")
    is_cancelled = models.BooleanField("cancelled", default=False)
    monthly_fee = models.DecimalField(default=Decimal("0"), **MONEY)
    contract_value = models.DecimalField(default=Decimal("0"), **MONEY)
    locations = models.ManyToManyField("locations.Location", blank=True, related_name="projects")
    notes = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[locations])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name", "pk"]
        indexes = [
            models.Index(fields=["customer", "start_date"], name="project_customer_start"),
            models.Index(fields=["start_date", "end_date"], name="project_dates"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.customer_id and not self.customer_name:
            self.customer_name = self.customer.name
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("billing:project_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})

    def status_on(self, day: date) -> str:
        if self.is_cancelled:
            return ProjectStatus.CANCELLED
        if self.start_date > day:
            return ProjectStatus.UPCOMING
        if self.end_date is not None and self.end_date < day:
            return ProjectStatus.PAST
        return ProjectStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return ProjectStatus(self.status).label

    @property
    def status_badge_class(self) -> str:
        return PROJECT_STATUS_BADGES[self.status]
