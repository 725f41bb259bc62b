"""Time logged on tickets: staff record what they spent on a ticket and on which day; the
ticket's page totals it and block-of-hours contracts draw it down (contracts.drawdown)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.querysets import access
from core.scope import scope_for
from core.services import save_with_history

from .models import TimeEntry
from .services import _check_staff, _ticket_for

MAX_MINUTES = 24 * 60
_DURATION = re.compile(
    r"^\s*(?:(?P<h>\d+(?:[.,]\d+)?)\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>\d+)\s*m(?:in(?:utes?)?)?)?\s*$",
    re.IGNORECASE,
)


def parse_duration(text: str) -> int:
    """Minutes from what people type: ``45``, ``45m``, ``1h30``, ``1h 30m``, ``1.5h``,
    ``1:30``. Raises ValidationError with the accepted forms otherwise."""
    value = (text or "").strip().lower()
    message = "Type the time as 45m, 1h30, 1.5h or 1:30."
    if not value:
        raise ValidationError(message)
    if value.isdigit():
        minutes = int(value)
    elif re.fullmatch(r"\d+:\d{2}", value):
        hours, mins = value.split(":")
        if int(mins) >= 60:
            raise ValidationError(message)
        minutes = int(hours) * 60 + int(mins)
    else:
        if re.fullmatch(r"\d+h\d+", value):
            value += "m"
        match = _DURATION.match(value)
        if not match or not (match["h"] or match["m"]):
            raise ValidationError(message)
        hours = float((match["h"] or "0").replace(",", "."))
        minutes = round(hours * 60) + int(match["m"] or 0)
    if minutes <= 0:
        raise ValidationError("Log at least one minute.")
    if minutes > MAX_MINUTES:
        raise ValidationError("One entry is at most 24 hours: log each day on its own.")
    return minutes


def ticket_log_time(
    *, actor: User, ticket_id, minutes: int, work_date: date | None = None, note: str = ""
) -> TimeEntry:
    """Staff log time on a ticket they can change (never in the future)."""
    _check_staff(scope_for(actor))
    work_date = work_date or timezone.localdate()
    if work_date > timezone.localdate():
        raise ValidationError({"work_date": "Time is logged once it is spent, not ahead."})
    if not 0 < minutes <= MAX_MINUTES:
        raise ValidationError({"minutes": "One entry is between one minute and 24 hours."})
    with transaction.atomic():
        ticket = _ticket_for(actor, ticket_id)
        entry = TimeEntry(
            ticket=ticket, user=actor, minutes=minutes, work_date=work_date, note=note.strip()
        )
        return save_with_history(entry, actor=actor, reason=f"Logged on {ticket.reference}")


def time_entry_delete(*, actor: User, entry_id) -> None:
    """Remove a mistaken entry: one's own, or anyone's for those who manage records."""
    from core.policies import Capability

    scope = scope_for(actor)
    _check_staff(scope)
    with transaction.atomic():
        entry = access(TimeEntry.objects.select_for_update(of=("self",)), scope, entry_id)
        if entry.user_id != actor.pk and not scope.can(Capability.MANAGE_RECORDS):
            raise PermissionDenied("Only who logged the time (or a manager) can remove it.")
        entry._history_user = actor
        entry._change_reason = "Removed"
        entry.delete()
