"""The activity on a customer, a location or an asset: notes, logged calls and meetings, and
tasks (one ``Entry`` table with a ``kind``: the timeline pages through one index, and a note,
a call and a task share what matters: the record, the author, the Markdown text, the portal
sharing). What only some kinds carry (a call's contact and duration, a task's assignee and due
date) is nullable and held together by check constraints.

The record is three nullable foreign keys with exactly one set, like documents.Document: real
foreign keys cascade with their record, are indexed, and let ``restrict`` reach the customer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .querysets import EntryQuerySet

RECORD_FIELDS = ("customer", "location", "asset")


def _exactly_one(fields: tuple[str, ...]) -> Q:
    condition = Q()
    for chosen in fields:
        condition |= Q(**{f"{name}__isnull": name != chosen for name in fields})
    return condition


class EntryKind(models.TextChoices):
    NOTE = "note", "Note"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    TASK = "task", "Task"


# The timeline's filters: what each shows of the entries ("changes" shows none of them).
TIMELINE_FILTERS = {
    "all": ("Everything", None),
    "notes": ("Notes", [EntryKind.NOTE]),
    "calls": ("Calls & meetings", [EntryKind.CALL, EntryKind.MEETING]),
    "tasks": ("Tasks", [EntryKind.TASK]),
    "changes": ("Changes", []),
}


def _record_indexes(name: str) -> list[models.Index]:
    present = Q(**{f"{name}__isnull": False})
    return [
        models.Index(
            fields=[name, "-occurred_at", "-id"], name=f"entry_{name}_timeline", condition=present
        ),
        models.Index(
            fields=[name, "kind", "-occurred_at", "-id"],
            name=f"entry_{name}_kind_timeline",
            condition=present,
        ),
    ]


class Entry(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity",
    )
    location = models.ForeignKey(
        "locations.Location",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity",
    )
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.CASCADE, null=True, blank=True, related_name="activity"
    )
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When it happened: a call's or meeting's time as logged; a note's or task's creation.
    occurred_at = models.DateTimeField("when", default=timezone.now)
    title = models.CharField(max_length=200, blank=True)  # a task's title, a call's subject
    body = models.TextField("text", blank=True, max_length=20000)  # Markdown
    # The body rendered once on save (markdown → sanitised HTML), never per request.
    body_html = models.TextField(blank=True, editable=False)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # Calls and meetings.
    duration_minutes = models.PositiveIntegerField("duration (minutes)", null=True, blank=True)
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity",
    )
    outcome = models.CharField(max_length=300, blank=True)
    # Tasks.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tasks",
    )
    due_date = models.DateField(null=True, blank=True)
    remind_at = models.DateTimeField("reminder", null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    shared_with_portal = models.BooleanField("shared with the company", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "body_html"])
    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one(RECORD_FIELDS), name="entry_on_exactly_one_record"
            ),
            models.CheckConstraint(
                condition=~Q(kind="task") | (Q(due_date__isnull=False) & ~Q(title="")),
                name="entry_task_has_title_and_due_date",
            ),
        ]
        indexes = [
            *_record_indexes("customer"),
            *_record_indexes("location"),
            *_record_indexes("asset"),
            models.Index(
                fields=["assignee", "due_date", "id"],
                name="entry_open_tasks",
                condition=Q(kind="task", completed_at__isnull=True),
            ),
            models.Index(
                fields=["remind_at"],
                name="entry_reminders_due",
                condition=Q(
                    kind="task",
                    completed_at__isnull=True,
                    reminder_sent_at__isnull=True,
                    remind_at__isnull=False,
                ),
            ),
            models.Index(
                fields=["customer", "-occurred_at", "-id"],
                name="entry_portal_shared",
                condition=Q(shared_with_portal=True),
            ),
        ]

    def __str__(self) -> str:
        if self.title:
            return self.title
        return f"{self.get_kind_display()} of {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        from .urls_helpers import record_url

        return record_url(self.record)

    @property
    def record(self):
        """The customer, location or asset the entry is on."""
        for name in RECORD_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None

    @property
    def record_type(self) -> str:
        return next(name for name in RECORD_FIELDS if getattr(self, f"{name}_id") is not None)

    @property
    def is_task(self) -> bool:
        return self.kind == EntryKind.TASK

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_task and not self.is_done and self.due_date < today
