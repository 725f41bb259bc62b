"""Bulk actions on a list's selected rows. A list offers one with one line,

    class CustomerListView(ObjectListView):
        bulk_actions = (SET_STATUS, ARCHIVE)

where each ``BulkAction`` changes ONE record through that record's own service (history,
events, locks), so a bulk change is exactly many single changes. Every row is fetched again
through the actor's scope for "change" before it is touched; a row that fails (gone, out of
reach, refused by its service) is reported with the reason while the others go through.

A change of up to ``INLINE_MAX`` rows runs in the request; a bigger one runs on the task queue
and its page shows live progress (htmx polling) until the summary."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from .formats import count_text
from .list_prefs_models import BulkJob
from .notifications import NotificationKind, notify
from .policies import Capability, user_can
from .scope import scope_for
from .tasks import defer_after_commit, tenant_task

# More rows than this run in the background.
INLINE_MAX = 200
# "All N matching" selects at most this many rows.
SELECT_ALL_MAX = 10_000
# Rows fetched (through the scope) and progress saved per step.
CHUNK = 100
NOT_REACHABLE = "Not found, deleted, or not yours to change."
UNEXPECTED = "Could not be changed: an unexpected error (it was logged)."

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BulkAction:
    """One change a list offers on selected rows.

    ``apply(record, actor=..., value=...)`` changes one record through its service and raises
    ValidationError when it refuses. ``choices`` (value, label) is what the user picks from
    (a status, an owner); none for an action that needs no value (archive)."""

    key: str
    label: str
    model: type[models.Model]
    apply: Callable[..., Any]
    capability: Capability = Capability.EDIT_RECORDS
    choices: Callable[[], list[tuple[str, str]]] | None = None
    value_label: str = ""
    confirm: str = field(default="")

    def available_to(self, user) -> bool:
        return user_can(user, self.capability)

    def options(self) -> list[tuple[str, str]]:
        return list(self.choices()) if self.choices else []

    def describe(self, value: str) -> str:
        if not self.choices:
            return self.label
        label = dict(self.options()).get(value, value)
        return f"{self.label}: {label}"


def bulk_job_start(
    *,
    actor,
    list_key: str,
    action: BulkAction,
    record_ids: list[int],
    value: str = "",
) -> BulkJob:
    """Record the job and run it: now for a few rows, on the task queue for many. Nothing is
    written when the action is not the actor's to use, no row is selected or the value is not
    one of the action's."""
    if not action.available_to(actor):
        raise ValidationError("Your role does not allow this bulk action.")
    ids = sorted({int(pk) for pk in record_ids})
    if not ids:
        raise ValidationError("Select at least one row.")
    if len(ids) > SELECT_ALL_MAX:
        raise ValidationError(
            f"At most {SELECT_ALL_MAX:,} rows at once: filter the list to fewer rows."
        )
    if action.choices and value not in dict(action.options()):
        raise ValidationError(f"Choose the {action.value_label or 'value'} to set.")
    reachable = action.model.objects.restrict(scope_for(actor), "change").filter(pk__in=ids)
    if not reachable.exists():
        raise ValidationError("None of the selected rows are yours to change.")
    with transaction.atomic():
        job = BulkJob.objects.create(
            actor=actor,
            list_key=list_key,
            action=action.key,
            description=action.describe(value),
            values={"value": value} if action.choices else {},
            record_ids=ids,
        )
        if len(ids) > INLINE_MAX:
            defer_after_commit(run_bulk_job, job_id=job.pk)
    if len(ids) <= INLINE_MAX:
        bulk_job_run(job_id=job.pk)
        job.refresh_from_db()
    return job


def action_of(job: BulkJob) -> BulkAction:
    from .list_prefs import list_view_for

    view_class = list_view_for(job.list_key)
    for action in getattr(view_class, "bulk_actions", ()):
        if action.key == job.action:
            return action
    raise LookupError(f"No bulk action {job.action!r} on {job.list_key!r}")


def bulk_job_run(*, job_id: int) -> BulkJob:
    """Apply the job's action to each of its rows, each in its own transaction (one refused row
    does not undo the others), saving progress after every chunk."""
    job = BulkJob.objects.select_related("actor").get(pk=job_id)
    if job.state == BulkJob.State.DONE:
        return job
    action = action_of(job)
    actor = job.actor
    job.state = BulkJob.State.RUNNING
    job.save(update_fields=["state"])
    value = job.values.get("value", "")
    allowed = action.available_to(actor)
    for start in range(job.processed, job.total, CHUNK):
        chunk = job.record_ids[start : start + CHUNK]
        reachable = {}
        if allowed:
            scoped = action.model.objects.restrict(scope_for(actor), "change")
            reachable = {record.pk: record for record in scoped.filter(pk__in=chunk)}
        for pk in chunk:
            record = reachable.get(pk)
            if record is None:
                job.failures.append({"id": pk, "name": "", "error": NOT_REACHABLE})
                continue
            try:
                with transaction.atomic():
                    action.apply(record, actor=actor, value=value)
            except ValidationError as error:
                message = " ".join(error.messages)
                job.failures.append({"id": pk, "name": str(record), "error": message})
            except Exception:  # a bug in one row's change must not strand the others
                logger.exception("Bulk job %s: row %s failed", job.pk, pk)
                job.failures.append({"id": pk, "name": str(record), "error": UNEXPECTED})
            else:
                job.changed_ids.append(pk)
        job.processed = start + len(chunk)
        job.save(update_fields=["processed", "changed_ids", "failures"])
    job.state = BulkJob.State.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "finished_at", "processed"])
    if job.total > INLINE_MAX:  # it ran in the background: say it is over
        changed = f"{count_text(len(job.changed_ids))} of {count_text(job.total)} rows changed"
        notify(
            [actor],
            kind=NotificationKind.BULK_FINISHED,
            message=f"{job.description} finished: {changed}.",
            url=reverse("lists:bulk_job", kwargs={"pk": job.pk}),
        )
    return job


@tenant_task(queue="default", retry=False)
def run_bulk_job(*, job_id: int) -> None:
    bulk_job_run(job_id=job_id)


def job_for(user, pk: int) -> BulkJob | None:
    """A bulk job's page is its actor's alone."""
    return BulkJob.objects.filter(pk=pk, actor=user).first()
