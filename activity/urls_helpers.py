"""Where an entry's record shows its activity."""

from __future__ import annotations

from django.urls import reverse


def record_url(record) -> str:
    """The record's activity: the customer's Activity tab, a location's or asset's page."""
    if record._meta.model_name == "customer":
        return reverse("customers:customer_activity", kwargs={"pk": record.pk})
    return record.get_absolute_url() + "#activity"
