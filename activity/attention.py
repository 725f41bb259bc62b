"""The dashboard's "needs attention" panel: the asker's own open tasks that are overdue or due
today (registered with billing.attention by ActivityConfig.ready). One query, on the open
tasks' partial index (assignee, due date)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from billing.attention import AttentionItem, counted

from .models import Entry


def tasks_due(scope, style: str) -> list[AttentionItem]:
    if not scope.is_staff or scope.user_id is None:
        return []
    today = timezone.localdate()
    counts = (
        Entry.objects.restrict(scope)
        .open_tasks()
        .filter(assignee_id=scope.user_id, due_date__lte=today)
        .aggregate(overdue=Count("pk", filter=Q(due_date__lt=today)), today=Count("pk"))
    )
    overdue, due_today = counts["overdue"], counts["today"] - counts["overdue"]
    url = reverse("activity:my_tasks")
    items = []
    if overdue:
        items.append(
            AttentionItem(
                "tasks_overdue",
                overdue,
                counted(overdue, "task of yours overdue", "tasks of yours overdue"),
                url,
                icon="alarm",
                tone="danger",
            )
        )
    if due_today:
        items.append(
            AttentionItem(
                "tasks_due_today",
                due_today,
                counted(due_today, "task of yours due today", "tasks of yours due today"),
                url,
                icon="check2-square",
                tone="info",
            )
        )
    return items
