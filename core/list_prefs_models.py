"""What a console user keeps about the lists they work in: the columns they chose, the views
they saved (a name for filters + sort + columns, private or shared with the team) and the bulk
changes they started, with their progress.

They live with the users, in each tenant's schema: ``core`` is a shared (public-schema) app,
so these models are the ``accounts`` app's (``app_label``, imported by accounts.models) while
the code that reads and writes them stays with the list machinery in ``core``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class ListPreference(models.Model):
    """One user's choices on one list (``list_key``: ``customers.customer``…): the visible
    columns in their order (empty: the table's own) and the saved view opened by default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_preferences"
    )
    list_key = models.CharField(max_length=100)
    columns = models.JSONField(default=list, blank=True)
    default_view = models.ForeignKey(
        "accounts.SavedView", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "accounts"
        constraints = [
            models.UniqueConstraint(fields=("user", "list_key"), name="list_preference_one")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.list_key}"


class SavedView(models.Model):
    """A named way to look at a list: its query string (filters and sort) and columns. Private
    to its owner unless ``shared`` with the whole team."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_key = models.CharField(max_length=100)
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    columns = models.JSONField(default=list, blank=True)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "accounts"
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(
                "owner", "list_key", models.functions.Lower("name"), name="saved_view_name_unique"
            )
        ]
        indexes = [
            models.Index(fields=("list_key", "shared"), name="saved_view_shared"),
        ]

    def __str__(self) -> str:
        return self.name


class BulkJob(models.Model):
    """One bulk change on selected rows of a list: who asked, what, on which ids, and how far it
    got. Small ones run in the request; big ones on the task queue while the page polls."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulk_jobs"
    )
    list_key = models.CharField(max_length=100)
    action = models.CharField(max_length=50)
    description = models.CharField(max_length=200)
    values = models.JSONField(default=dict, blank=True)
    record_ids = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    processed = models.PositiveIntegerField(default=0)
    changed_ids = models.JSONField(default=list, blank=True)
    # [{"id": 12, "name": "Acme", "error": "…"}] for the rows that could not be changed.
    failures = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "accounts"
        indexes = [models.Index(fields=("actor", "-created_at"), name="bulk_job_actor_recent")]

    def __str__(self) -> str:
        return f"{self.description} ({len(self.record_ids)} rows)"

    @property
    def total(self) -> int:
        return len(self.record_ids)

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100


EXPORT_FORMATS = {
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class ExportJob(models.Model):
    """One big export: who asked, of which list with which filters, how far it got, and the
    file once written."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Writing"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    list_key = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    query = models.TextField(blank=True)
    file_format = models.CharField(
        max_length=10, choices=[(k, v[0]) for k, v in EXPORT_FORMATS.items()]
    )
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    data = models.BinaryField(editable=False, default=b"")
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "accounts"
        indexes = [models.Index(fields=("actor", "-created_at"), name="export_job_actor_recent")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_file_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("lists:export_job", kwargs={"pk": self.pk})

    @property
    def is_busy(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(100, round(100 * self.processed / self.total)) if self.total else 0

    @property
    def content_type(self) -> str:
        return EXPORT_FORMATS[self.file_format][1]
