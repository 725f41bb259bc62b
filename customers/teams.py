"""Teams of staff and the customers they look after: what an owner limits a staff user to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.querysets import ScopedQuerySet


class TeamQuerySet(ScopedQuerySet):
    scope_paths = ()  # tenant-wide: staff only, whatever their limit


class Team(models.Model):
    """A group of staff users and the customers they look after. A staff user whose owner
    limited them to assigned customers sees the customers of their teams (and of their own
    direct assignments), each with its sub-accounts, and nothing else."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    customers = models.ManyToManyField("customers.Customer", related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[members, customers])
    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="customers_team_name_ci_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:team_update", args=[self.pk])


class StaffCustomerAssignment(models.Model):
    """One customer assigned directly to one staff user (besides their teams' customers)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_assignments"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="staff_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "customer"], name="staff_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.customer}"
