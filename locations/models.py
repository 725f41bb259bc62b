"""Where a customer is: each location belongs to exactly one customer."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.models import AddressFields, ArchivableFields
from fields.models import CustomFieldsModel

from .querysets import LocationQuerySet


class LocationType(models.TextChoices):
    HEADQUARTERS = "headquarters", "Headquarters"
    OFFICE = "office", "Office"
    WAREHOUSE = "warehouse", "Warehouse"
    DATA_CENTER = "data_center", "Data center"
    RETAIL = "retail", "Retail"
    SITE = "site", "Site"
    OTHER = "other", "Other"


class LocationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PLANNED = "planned", "Planned"
    INACTIVE = "inactive", "Inactive"
    CLOSED = "closed", "Closed"


LOCATION_STATUS_BADGES = {
    LocationStatus.ACTIVE: "text-bg-success",
    LocationStatus.PLANNED: "text-bg-primary",
    LocationStatus.INACTIVE: "text-bg-secondary",
    LocationStatus.CLOSED: "text-bg-dark",
}


class Location(CustomFieldsModel, AddressFields, ArchivableFields):
    custom_field_kind = "location"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(max_length=200)
    location_type = models.CharField(
        "type", max_length=20, choices=LocationType, default=LocationType.OFFICE
    )
    status = models.CharField(max_length=20, choices=LocationStatus, default=LocationStatus.ACTIVE)
    notes = models.TextField(blank=True, max_length=5000)
    search_text = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])
    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(
                name="location_search_trgm", fields=["search_text"], opclasses=["gin_trgm_ops"]
            ),
            GinIndex(
                name="location_cf_data", fields=["custom_field_data"], opclasses=["jsonb_path_ops"]
            ),
            models.Index(fields=["customer", "name"], name="location_customer_name"),
            models.Index(fields=["location_type"], name="location_type"),
            models.Index(fields=["status"], name="location_status"),
            models.Index(fields=["country"], name="location_country"),
            models.Index(
                fields=["name", "id"], name="location_live_by_name", condition=Q(is_archived=False)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("locations:location_detail", kwargs={"pk": self.pk})

    @property
    def status_badge_class(self) -> str:
        return LOCATION_STATUS_BADGES.get(self.status, "text-bg-secondary")

    def refresh_search_fields(self) -> None:
        parts = [self.name, self.city, self.address_line1, self.postal_code, self.state]
        parts += self.custom_search_parts()
        self.search_text = " | ".join(p for p in parts if p).lower()
