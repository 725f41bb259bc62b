"""Service levels: when a ticket's first response and resolution are due, counted in a
policy's business hours (or around the clock), skipping its holidays, with the resolution
clock paused while the ticket waits on the customer.

A ticket keeps the policy it was opened under, its two due times, when its clock was paused
and how many business minutes it has been paused so far. ``refresh`` recomputes the due times
from those (on opening, on a change of priority, when a pause ends); ``pause`` and ``resume``
are called by tickets.services whenever the status enters or leaves "waiting on customer"."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q

MAX_DAYS = 3 * 366  # a target further away than this many calendar days is not computed


@dataclass(frozen=True)
class Calendar:
    """Business time: ``start``–``end`` on ``days`` (0 = Monday) in ``tz``, but not on
    ``holidays``; ``start`` None means around the clock, every day."""

    tz: ZoneInfo
    start: datetime.time | None = None
    end: datetime.time | None = None
    days: frozenset[int] = frozenset(range(7))
    holidays: frozenset[datetime.date] = frozenset()

    @property
    def always(self) -> bool:
        return self.start is None or self.end is None

    def windows(
        self, since: datetime.datetime
    ) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """Business windows ending after ``since``, in order (the first may start before)."""
        local = since.astimezone(self.tz)
        day = local.date()
        for _ in range(MAX_DAYS):
            if day.weekday() in self.days and day not in self.holidays:
                opens = datetime.datetime.combine(day, self.start, self.tz)
                closes = datetime.datetime.combine(day, self.end, self.tz)
                if closes > since:
                    yield opens, closes
            day += datetime.timedelta(days=1)

    def add(self, since: datetime.datetime, minutes: int) -> datetime.datetime | None:
        """The moment ``minutes`` of business time after ``since``."""
        if self.always:
            return since + datetime.timedelta(minutes=minutes)
        left = datetime.timedelta(minutes=minutes)
        for opens, closes in self.windows(since):
            begin = max(opens, since)
            if begin + left <= closes:
                return (begin + left).astimezone(datetime.UTC)
            left -= closes - begin
        return None

    def between(self, start: datetime.datetime, end: datetime.datetime) -> int:
        """Whole business minutes from ``start`` to ``end``."""
        if end <= start:
            return 0
        if self.always:
            return int((end - start).total_seconds() // 60)
        total = datetime.timedelta()
        for opens, closes in self.windows(start):
            if opens >= end:
                break
            total += min(closes, end) - max(opens, start)
        return int(total.total_seconds() // 60)


def refresh(ticket, now: datetime.datetime | None = None) -> None:
    """Set the ticket's due times from its policy, priority, opening and pauses."""
    policy = ticket.sla_policy
    if policy is None:
        ticket.first_response_due_at = ticket.resolution_due_at = None
        return
    calendar = policy.calendar()
    opened = ticket.created_at or now
    first = policy.target("first_response", ticket.priority)
    resolve = policy.target("resolution", ticket.priority)
    ticket.first_response_due_at = calendar.add(opened, first) if first else None
    ticket.resolution_due_at = (
        calendar.add(opened, resolve + (ticket.sla_paused_minutes or 0)) if resolve else None
    )


def pause(ticket, now: datetime.datetime) -> None:
    if ticket.sla_paused_at is None:
        ticket.sla_paused_at = now


def resume(ticket, now: datetime.datetime) -> None:
    if ticket.sla_paused_at is None:
        return
    if ticket.sla_policy is not None:
        paused = ticket.sla_policy.calendar().between(ticket.sla_paused_at, now)
        ticket.sla_paused_minutes = (ticket.sla_paused_minutes or 0) + paused
    ticket.sla_paused_at = None
    refresh(ticket, now)


def breached_first_response(now: datetime.datetime) -> Q:
    return Q(
        first_response_at__isnull=True,
        first_response_due_at__lt=now,
        first_response_breached_at__isnull=True,
    )


def breached_resolution(now: datetime.datetime) -> Q:
    return Q(
        resolution_due_at__lt=now,
        resolution_breached_at__isnull=True,
        sla_paused_at__isnull=True,
    )


@dataclass(frozen=True)
class ClockState:
    label: str
    state: str  # "met", "missed", "due", "paused", "none"
    at: datetime.datetime | None
    css: str


def clocks_of(ticket, now: datetime.datetime) -> list[ClockState]:
    """What a ticket's page says of its two clocks."""
    states = []
    first_due = ticket.first_response_due_at
    if first_due is None:
        states.append(ClockState("First response", "none", None, "text-bg-light border"))
    elif ticket.first_response_at is not None:
        met = ticket.first_response_at <= first_due
        states.append(
            ClockState(
                "First response",
                "met" if met else "missed",
                ticket.first_response_at,
                "text-bg-success" if met else "text-bg-danger",
            )
        )
    else:
        late = first_due < now
        states.append(
            ClockState(
                "First response",
                "missed" if late else "due",
                first_due,
                "text-bg-danger" if late else "text-bg-info",
            )
        )
    due = ticket.resolution_due_at
    if due is None:
        states.append(ClockState("Resolution", "none", None, "text-bg-light border"))
    elif ticket.resolved_at is not None:
        met = ticket.resolved_at <= due
        states.append(
            ClockState(
                "Resolution",
                "met" if met else "missed",
                ticket.resolved_at,
                "text-bg-success" if met else "text-bg-danger",
            )
        )
    elif ticket.sla_paused_at is not None:
        states.append(ClockState("Resolution", "paused", due, "text-bg-warning"))
    else:
        late = due < now
        states.append(
            ClockState(
                "Resolution",
                "missed" if late else "due",
                due,
                "text-bg-danger" if late else "text-bg-info",
            )
        )
    return states
