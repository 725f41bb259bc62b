"""Files on a customer, a location or an asset: a Document (title, description, the one
record it belongs to, shared with the company's portal or not, archived or not) and its
versions (the bytes in the documents storage, what they are, who uploaded them and when).

The record is three nullable foreign keys with a check constraint that exactly one is set,
not a generic relation: real foreign keys cascade with their record, are indexed, and let
``restrict`` reach the customer through ordinary joins (``scope_paths``); a generic relation
could do none of these. Contracts (a later issue) add a fourth key and widen the constraint
(``RECORD_FIELDS``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .querysets import DocumentQuerySet
from .storage import documents_storage

RECORD_FIELDS = ("customer", "location", "asset")


def _exactly_one(fields: tuple[str, ...]) -> Q:
    condition = Q()
    for chosen in fields:
        condition |= Q(
            **{f"{name}__isnull": name != chosen for name in fields},
        )
    return condition


class Document(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    location = models.ForeignKey(
        "locations.Location",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    shared_with_portal = models.BooleanField("shared with the portal", default=False)
    is_archived = models.BooleanField("archived", default=False)
    # The newest version, kept by documents.services (the only writer of versions).
    current = models.OneToOneField(
        "documents.DocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "current"])
    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one(RECORD_FIELDS), name="document_on_exactly_one_record"
            )
        ]
        indexes = [
            models.Index(
                fields=["customer", "title"],
                name="document_customer_title",
                condition=Q(customer__isnull=False),
            ),
            models.Index(
                fields=["location", "title"],
                name="document_location_title",
                condition=Q(location__isnull=False),
            ),
            models.Index(
                fields=["asset", "title"],
                name="document_asset_title",
                condition=Q(asset__isnull=False),
            ),
            models.Index(
                fields=["customer"],
                name="document_portal_shared",
                condition=Q(shared_with_portal=True, is_archived=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:document_detail", kwargs={"pk": self.pk})

    @property
    def record(self):
        """The customer, location or asset the document belongs to."""
        for name in RECORD_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None


class DocumentVersion(models.Model):
    """One uploaded file. Never changed after it is written; a new upload is a new version."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(storage=documents_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)  # as sniffed from the first bytes
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="document_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.number})"
