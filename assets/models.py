"""What customers hold. An asset's owner (a customer, or none: the tenant) and its place (a
location, or none) need not agree: hardware-as-a-service sits at a customer's site without
being theirs; a returned device is theirs without being at their site."""

from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from billing.models import MONEY
from core.models import ArchivableFields
from fields.models import CustomFieldsModel

from .querysets import AssetQuerySet


class AssetCategory(models.TextChoices):
    SERVER = "server", "Server"
    LAPTOP = "laptop", "Laptop"
    NETWORK = "network", "Network"
    VEHICLE = "vehicle", "Vehicle"
    MACHINERY = "machinery", "Machinery"
    OTHER = "other", "Other"


class AssetStatus(models.TextChoices):
    IN_STORAGE = "in_storage", "In storage"
    DEPLOYED = "deployed", "Deployed"
    IN_REPAIR = "in_repair", "In repair"
    RETIRED = "retired", "Retired"
    LOST = "lost", "Lost"


ASSET_STATUS_BADGES = {
    AssetStatus.IN_STORAGE: "text-bg-secondary",
    AssetStatus.DEPLOYED: "text-bg-success",
    AssetStatus.IN_REPAIR: "text-bg-warning",
    AssetStatus.RETIRED: "text-bg-dark",
    AssetStatus.LOST: "text-bg-danger",
}


def normalise_serial(value: str) -> str:
    return " ".join((value or "").split())


class Asset(CustomFieldsModel, ArchivableFields):
    custom_field_kind = "asset"

    name = models.CharField("name / asset tag", max_length=200)
    serial_number = models.CharField(max_length=100, blank=True)
    model_name = models.CharField("model", max_length=200, blank=True)
    category = models.CharField(max_length=20, choices=AssetCategory, default=AssetCategory.OTHER)
    status = models.CharField(max_length=20, choices=AssetStatus, default=AssetStatus.IN_STORAGE)
    owner = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_assets",
        help_text="Empty: the asset belongs to your business.",
    )
    location = models.ForeignKey(
        "locations.Location",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
        help_text="Where it is now; may be another customer's site.",
    )
    project = models.ForeignKey(
        "billing.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    purchase_date = models.DateField(null=True, blank=True)
    value = models.DecimalField(null=True, blank=True, **MONEY)
    notes = models.TextField(blank=True, max_length=5000)
    search_text = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])
    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(name="asset_search_trgm", fields=["search_text"], opclasses=["gin_trgm_ops"]),
            GinIndex(
                name="asset_cf_data", fields=["custom_field_data"], opclasses=["jsonb_path_ops"]
            ),
            models.Index(fields=["owner", "category"], name="asset_owner_category"),
            models.Index(fields=["location", "category"], name="asset_location_category"),
            models.Index(fields=["status"], name="asset_status"),
            models.Index(fields=["category"], name="asset_category"),
            models.Index(fields=["project"], name="asset_project"),
            models.Index(
                fields=["name", "id"], name="asset_live_by_name", condition=Q(is_archived=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("serial_number"),
                name="asset_serial_ci_unique",
                condition=~Q(serial_number=""),
                violation_error_message="Another asset already has this serial number.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.serial_number = normalise_serial(self.serial_number)
        self.refresh_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "serial_number"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assets:asset_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        self.serial_number = normalise_serial(self.serial_number)
        if self.serial_number:
            clash = Asset.objects.filter(serial_number__iexact=self.serial_number).exclude(
                pk=self.pk
            )
            if clash.exists():
                raise ValidationError(
                    {"serial_number": "Another asset already has this serial number."}
                )
        if self.location_id and self.location.customer.deleted_at is not None:
            raise ValidationError({"location": "That location belongs to a deleted customer."})
        if self.owner_id and self.owner.deleted_at is not None:
            raise ValidationError({"owner": "That customer has been deleted."})
        if self.project_id and self.project.customer_id and self.project.customer.deleted_at:
            raise ValidationError({"project": "That project belongs to a deleted customer."})

    @property
    def status_badge_class(self) -> str:
        return ASSET_STATUS_BADGES.get(self.status, "text-bg-secondary")

    @property
    def is_hosted_elsewhere(self) -> bool:
        """Sits at a customer's site that is not its owner's (or is owned by the tenant)."""
        return self.location_id is not None and self.owner_id != self.location.customer_id

    def refresh_search_fields(self) -> None:
        parts = [self.name, self.serial_number, self.model_name, *self.custom_search_parts()]
        self.search_text = " | ".join(p for p in parts if p).lower()
