"""Imports of customers, locations, assets and billing usage from CSV/XLSX: one ImportJob per uploaded file,
validated in a dry run (one ImportRow per row of the file), then committed all-or-nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.policies import Capability, may_see_all_imports
from core.querysets import ScopedQuerySet
from core.scope import scope_for


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    LOCATIONS = "locations", "Locations"
    ASSETS = "assets", "Assets"
    USAGE = "usage", "Usage"
    CONTACTS = "contacts", "Contacts"
    CONTRACTS = "contracts", "Contracts"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Queued"
    VALIDATING = "validating", "Checking"
    READY = "ready", "Checked"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


IMPORT_STATUS_BADGES = {
    ImportStatus.PENDING: "text-bg-secondary",
    ImportStatus.VALIDATING: "text-bg-info",
    ImportStatus.READY: "text-bg-primary",
    ImportStatus.RUNNING: "text-bg-info",
    ImportStatus.DONE: "text-bg-success",
    ImportStatus.FAILED: "text-bg-danger",
}
BUSY_STATUSES = (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.RUNNING)


class ImportJobQuerySet(ScopedQuerySet):
    """Import jobs are the tenant's (no customer path); who may open one is then
    ``may_open_import_job`` (someone else's: admins only, others get 403)."""

    scope_paths = ()
    staff_actions = {
        "view": Capability.IMPORT_RECORDS,
        "change": Capability.IMPORT_RECORDS,
        "delete": Capability.MANAGE_RECORDS,
    }

    def visible_to(self, user) -> ImportJobQuerySet:
        """Importers see their own jobs in lists; admins and owners everyone's."""
        scope = scope_for(user)
        queryset = self.restrict(scope)
        if may_see_all_imports(user):
            return queryset
        return queryset.filter(created_by=user)


class ImportJob(models.Model):
    kind = models.CharField(max_length=20, choices=ImportKind)
    status = models.CharField(max_length=20, choices=ImportStatus, default=ImportStatus.PENDING)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)
    # The upload itself, kept in the tenant's schema: the worker may run on another machine
    # than the web server (docker-compose shares no media volume), and confirm re-reads it.
    data = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(default=0)

    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    update_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    error_summary = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_by_user")]

    def __str__(self) -> str:
        return f"Import of {self.get_kind_display().lower()} from {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:import_job", kwargs={"pk": self.pk})

    @property
    def is_busy(self) -> bool:
        return self.status in BUSY_STATUSES

    @property
    def status_badge_class(self) -> str:
        return IMPORT_STATUS_BADGES.get(self.status, "text-bg-secondary")

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.READY, ImportStatus.DONE):
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.READY and not self.error_count and self.total_rows > 0


class RowAction(models.TextChoices):
    NEW = "new", "New"
    UPDATE = "update", "Update"
    UNCHANGED = "unchanged", "Unchanged"
    ERROR = "error", "Error"


ROW_ACTION_BADGES = {
    RowAction.NEW: "text-bg-success",
    RowAction.UPDATE: "text-bg-primary",
    RowAction.UNCHANGED: "text-bg-secondary",
    RowAction.ERROR: "text-bg-danger",
}


class ImportRow(models.Model):
    """What the dry run (or the commit) found for one row of the file."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(help_text="The row's line number in the file.")
    action = models.CharField(max_length=10, choices=RowAction)
    record = models.CharField(max_length=255, blank=True)
    # [[column, message], ...] for errors.
    messages = models.JSONField(default=list, blank=True)
    # The record the import made or changed, once it ran (the results page links it).
    object_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["line"]
        indexes = [models.Index(fields=["job", "action", "line"], name="importrow_job_action")]

    def __str__(self) -> str:
        return f"Line {self.line}: {self.action}"

    @property
    def badge_class(self) -> str:
        return ROW_ACTION_BADGES.get(self.action, "text-bg-secondary")
