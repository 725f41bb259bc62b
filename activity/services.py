"""Every write to the activity timeline: notes (create, edit, delete), logged calls and
meetings, tasks (create, assign, complete, reopen), sharing with the company's portal, and the
worker's reminders.

Each starts from the actor's scope (``core.querysets.access``: the record or entry within
reach, else the same 404 whether it is missing or another company's), validates before it
writes (a ValidationError and nothing written on bad input), locks what it changes, records
history with the actor and a reason, renders the Markdown once (``markdown.render``) and sends
email only after commit (mentions, reminders)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from assets.models import Asset
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for
from core.services import save_with_history
from core.tasks import defer_after_commit
from customers.models import Customer
from customers.models_contacts import Contact
from locations.models import Location

from .markdown import render, staff_users
from .models import Entry, EntryKind

logger = logging.getLogger(__name__)

RECORD_MODELS: dict[str, type] = {"customer": Customer, "location": Location, "asset": Asset}
CALL_KINDS = (EntryKind.CALL, EntryKind.MEETING)
REMINDER_BATCH = 100
CALL_FIELDS = {
    "kind", "occurred_at", "duration_minutes", "contact_id", "outcome", "title", "body",
    "shared_with_portal",
}  # fmt: skip
TASK_FIELDS = {"title", "due_date", "assignee_id", "remind_at", "body", "shared_with_portal"}


def _refuse_unknown(data: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, f"Not a field of {what}."))


def record_within_scope(*, actor: User, record_type: str, record_id, action: str = "change"):
    """The customer, location or asset as ``actor`` may reach it for ``action``; a deleted
    customer's records take no new activity."""
    model = RECORD_MODELS.get(record_type)
    if model is None:
        raise Http404("No such record.")
    record = access(model.objects.all(), scope_for(actor), record_id, action)
    if getattr(record, "deleted_at", None):
        raise Http404("No such record.")
    return record


def customer_of(record) -> Customer | None:
    """The customer a record belongs to (an asset: its owner, else its location's)."""
    if isinstance(record, Customer):
        return record
    if isinstance(record, Location):
        return record.customer
    if record.owner_id:
        return record.owner
    return record.location.customer if record.location_id else None


def _entry_for(actor: User, entry_id, action: str = "change") -> Entry:
    """The entry within the actor's reach for ``action``, locked (its own row only)."""
    return access(Entry.objects.select_for_update(of=("self",)), scope_for(actor), entry_id, action)


def _check_author_or_admin(actor: User, entry: Entry) -> None:
    if entry.author_id != actor.pk and not user_can(actor, Capability.MANAGE_RECORDS):
        raise PermissionDenied("Only its author or an admin may change this entry.")


def _text(value: str | None) -> str:
    return (value or "").strip()


def _set_body(entry: Entry, body: str) -> list[User]:
    """Render the body once; the users it mentions (to store and to notify)."""
    rendered = render(body)
    entry.body, entry.body_html = body, rendered.html
    return rendered.mentions


def _store_mentions(entry: Entry, mentioned: list[User], *, actor: User) -> None:
    """Keep the mentions; those newly mentioned (never the author, never someone who cannot
    see the record) get an email after commit."""
    before = set(entry.mentions.values_list("pk", flat=True))
    entry.mentions.set(mentioned)
    customer = customer_of(entry.record)
    new = sorted(
        user.pk
        for user in mentioned
        if user.pk not in before
        and user.pk != actor.pk
        # A colleague limited to other customers is not sent what they may not see.
        and (customer is None or scope_for(user).reaches_customer(customer.pk))
    )
    if new:
        from .tasks import send_mention_email

        defer_after_commit(send_mention_email, entry_id=entry.pk, user_ids=new)


def _staff_assignee(assignee_id, record) -> User:
    """The assignee: an active staff user of this tenant who may see the record."""
    if assignee_id in (None, ""):
        raise ValidationError({"assignee": "Choose who does the task."})
    try:
        assignee = staff_users().filter(pk=int(getattr(assignee_id, "pk", assignee_id))).first()
    except (TypeError, ValueError):
        assignee = None
    if assignee is None:
        raise ValidationError({"assignee": "The assignee must be an active member of your team."})
    customer = customer_of(record)
    if customer is not None and not scope_for(assignee).reaches_customer(customer.pk):
        raise ValidationError({"assignee": f"{assignee} cannot see {customer}."})
    return assignee


def _check_due_date(due_date) -> datetime.date:
    if not isinstance(due_date, datetime.date) or isinstance(due_date, datetime.datetime):
        raise ValidationError({"due_date": "Enter a valid due date (YYYY-MM-DD)."})
    if not datetime.date(2000, 1, 1) <= due_date <= datetime.date(2200, 12, 31):
        raise ValidationError({"due_date": "Enter a due date between 2000 and 2200."})
    return due_date


def _check_remind_at(remind_at) -> datetime.datetime | None:
    if remind_at in (None, ""):
        return None
    if not isinstance(remind_at, datetime.datetime):
        raise ValidationError({"remind_at": "Enter a valid reminder date and time."})
    return remind_at


def _contact_of(contact_id, record) -> Contact | None:
    if contact_id in (None, ""):
        return None
    customer = customer_of(record)
    contact = Contact.objects.filter(
        pk=getattr(contact_id, "pk", contact_id), customer=customer
    ).first()
    if contact is None:
        raise ValidationError({"contact": "Choose one of this customer's contacts."})
    return contact


def _new_entry(record_type: str, record, *, actor: User, kind: str, **fields) -> Entry:
    return Entry(**{record_type: record}, kind=kind, author=actor, **fields)


@transaction.atomic
def note_create(
    *, actor: User, record_type: str, record_id: int, body: str, shared_with_portal: bool = False
) -> Entry:
    """A Markdown note on a customer, location or asset."""
    record = record_within_scope(actor=actor, record_type=record_type, record_id=record_id)
    body = _text(body)
    if not body:
        raise ValidationError({"body": "Write something: the note is empty."})
    entry = _new_entry(
        record_type, record, actor=actor, kind=EntryKind.NOTE, shared_with_portal=shared_with_portal
    )
    mentioned = _set_body(entry, body)
    save_with_history(entry, actor=actor, reason="Note added")
    _store_mentions(entry, mentioned, actor=actor)
    return entry


@transaction.atomic
def note_update(
    *, actor: User, entry_id: int, body: str, shared_with_portal: bool | None = None
) -> Entry:
    """Edit a note's text (its author or an admin)."""
    entry = _entry_for(actor, entry_id)
    _check_author_or_admin(actor, entry)
    body = _text(body)
    if not body:
        raise ValidationError({"body": "Write something: the note is empty."})
    mentioned = _set_body(entry, body)
    if shared_with_portal is not None:
        entry.shared_with_portal = bool(shared_with_portal)
    save_with_history(entry, actor=actor, reason="Note edited")
    _store_mentions(entry, mentioned, actor=actor)
    return entry


@transaction.atomic
def call_log(
    *,
    actor: User,
    record_type: str,
    record_id: int,
    kind: str = EntryKind.CALL,
    occurred_at: datetime.datetime | None = None,
    duration_minutes: int | None = None,
    contact_id: int | None = None,
    outcome: str = "",
    title: str = "",
    body: str = "",
    shared_with_portal: bool = False,
) -> Entry:
    """A call or meeting that took place: when, how long, with which contact, the outcome."""
    if kind not in CALL_KINDS:
        raise ValidationError({"kind": "Choose a call or a meeting."})
    record = record_within_scope(actor=actor, record_type=record_type, record_id=record_id)
    if duration_minutes is not None and not 0 <= int(duration_minutes) <= 24 * 60:
        raise ValidationError({"duration_minutes": "Enter a duration of at most 24 hours."})
    entry = _new_entry(
        record_type,
        record,
        actor=actor,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        duration_minutes=duration_minutes,
        contact=_contact_of(contact_id, record),
        outcome=_text(outcome),
        title=_text(title),
        shared_with_portal=shared_with_portal,
    )
    mentioned = _set_body(entry, _text(body))
    save_with_history(entry, actor=actor, reason=f"{entry.get_kind_display()} logged")
    _store_mentions(entry, mentioned, actor=actor)
    return entry


@transaction.atomic
def call_update(*, actor: User, entry_id: int, data: dict[str, Any]) -> Entry:
    """Correct a logged call or meeting (its author or an admin)."""
    entry = _entry_for(actor, entry_id)
    _check_author_or_admin(actor, entry)
    if entry.kind not in CALL_KINDS:
        raise ValidationError("This entry is not a call or a meeting.")
    _refuse_unknown(data, CALL_FIELDS, "a call or meeting")
    if data.get("kind") is not None:
        if data["kind"] not in CALL_KINDS:
            raise ValidationError({"kind": "Choose a call or a meeting."})
        entry.kind = data["kind"]
    if "contact_id" in data:
        entry.contact = _contact_of(data["contact_id"], entry.record)
    for name in ("occurred_at", "duration_minutes", "shared_with_portal"):
        if name in data and data[name] is not None:
            setattr(entry, name, data[name])
    for name in ("outcome", "title"):
        if name in data:
            setattr(entry, name, _text(data[name]))
    mentioned = _set_body(entry, _text(data.get("body", entry.body)))
    save_with_history(entry, actor=actor, reason=f"{entry.get_kind_display()} edited")
    _store_mentions(entry, mentioned, actor=actor)
    return entry


@transaction.atomic
def task_create(
    *,
    actor: User,
    record_type: str,
    record_id: int,
    title: str,
    assignee_id: int | User,
    due_date: datetime.date,
    remind_at: datetime.datetime | None = None,
    body: str = "",
    shared_with_portal: bool = False,
) -> Entry:
    """A task on a record for a staff user, due on a date, with an optional reminder email."""
    record = record_within_scope(actor=actor, record_type=record_type, record_id=record_id)
    title = _text(title)
    if not title:
        raise ValidationError({"title": "A task needs a title."})
    entry = _new_entry(
        record_type,
        record,
        actor=actor,
        kind=EntryKind.TASK,
        title=title,
        due_date=_check_due_date(due_date),
        assignee=_staff_assignee(assignee_id, record),
        remind_at=_check_remind_at(remind_at),
        shared_with_portal=shared_with_portal,
    )
    mentioned = _set_body(entry, _text(body))
    save_with_history(entry, actor=actor, reason=f"Task for {entry.assignee}")
    _store_mentions(entry, mentioned, actor=actor)
    return entry


@transaction.atomic
def task_update(*, actor: User, entry_id: int, data: dict[str, Any]) -> Entry:
    """Change a task's title, text, due date, reminder, assignee or sharing. A new reminder
    time is a new reminder (sent again when it comes)."""
    entry = _entry_for(actor, entry_id)
    if not entry.is_task:
        raise ValidationError("This entry is not a task.")
    _refuse_unknown(data, TASK_FIELDS, "a task")
    if "title" in data:
        entry.title = _text(data["title"])
        if not entry.title:
            raise ValidationError({"title": "A task needs a title."})
    if "due_date" in data:
        entry.due_date = _check_due_date(data["due_date"])
    if "assignee_id" in data:
        entry.assignee = _staff_assignee(data["assignee_id"], entry.record)
    if "remind_at" in data:
        remind_at = _check_remind_at(data["remind_at"])
        if remind_at != entry.remind_at:
            entry.remind_at, entry.reminder_sent_at = remind_at, None
    if data.get("shared_with_portal") is not None:
        entry.shared_with_portal = bool(data["shared_with_portal"])
    mentioned = _set_body(entry, _text(data.get("body", entry.body)))
    save_with_history(entry, actor=actor, reason="Task edited")
    _store_mentions(entry, mentioned, actor=actor)
    return entry


@transaction.atomic
def task_assign(*, actor: User, entry_id: int, assignee_id: int | User) -> Entry:
    entry = _entry_for(actor, entry_id)
    if not entry.is_task:
        raise ValidationError("This entry is not a task.")
    entry.assignee = _staff_assignee(assignee_id, entry.record)
    save_with_history(entry, actor=actor, reason=f"Assigned to {entry.assignee}")
    return entry


@transaction.atomic
def task_complete(*, actor: User, entry_id: int) -> Entry:
    """Tick a task done: who and when. Done already: nothing changes."""
    entry = _entry_for(actor, entry_id)
    if not entry.is_task:
        raise ValidationError("This entry is not a task.")
    if entry.completed_at is None:
        entry.completed_at, entry.completed_by = timezone.now(), actor
        save_with_history(entry, actor=actor, reason="Task done")
    return entry


@transaction.atomic
def task_reopen(*, actor: User, entry_id: int) -> Entry:
    entry = _entry_for(actor, entry_id)
    if not entry.is_task:
        raise ValidationError("This entry is not a task.")
    if entry.completed_at is not None:
        entry.completed_at, entry.completed_by = None, None
        save_with_history(entry, actor=actor, reason="Task reopened")
    return entry


@transaction.atomic
def entry_set_shared(*, actor: User, entry_id: int, shared: bool) -> Entry:
    """Show the entry to the company's portal users, or stop showing it."""
    entry = _entry_for(actor, entry_id)
    if entry.shared_with_portal != bool(shared):
        entry.shared_with_portal = bool(shared)
        reason = "Shared with the company" if shared else "No longer shared with the company"
        save_with_history(entry, actor=actor, reason=reason)
    return entry


@transaction.atomic
def entry_delete(*, actor: User, entry_id: int) -> None:
    """Remove a note, call, meeting or task (its author or an admin); its history stays."""
    entry = _entry_for(actor, entry_id)
    _check_author_or_admin(actor, entry)
    entry._history_user = actor
    entry._change_reason = f"{entry.get_kind_display()} deleted"
    entry.delete()


def task_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Send the reminders that are due in the current tenant; each exactly once.

    Each batch is locked with SKIP LOCKED (a second worker takes other rows, never the same)
    and marked sent in the same transaction as its email is sent; a failed email rolls back
    only its own savepoint, so it is retried on the next run. Returns how many were sent."""
    from .tasks import reminder_message

    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                Entry.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(
                    kind=EntryKind.TASK,
                    completed_at__isnull=True,
                    reminder_sent_at__isnull=True,
                    remind_at__lte=now,
                    assignee__isnull=False,
                    assignee__is_active=True,
                )
                .select_related("assignee", "customer", "location", "asset")
                .order_by("remind_at", "pk")[:REMINDER_BATCH]
            )
            done = 0
            for entry in due:
                try:
                    with transaction.atomic():
                        Entry.objects.filter(pk=entry.pk).update(reminder_sent_at=now)
                        reminder_message(entry).send()
                except Exception:
                    logger.exception("Reminder of task %s not sent; retried next run", entry.pk)
                    continue
                done += 1
            sent += done
        if len(due) < REMINDER_BATCH or done == 0:
            return sent
