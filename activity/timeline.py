"""One record's timeline: its activity entries (and, for a customer, those of its locations
and assets) merged with the record's change history, newest first, filtered by kind, paged
by a signed keyset cursor.

Every source is a list ordered by (time, id) descending. A page asks each source for the
PAGE_SIZE + 1 rows just before the cursor's position (one index range scan each, whatever
the depth), merges them and keeps PAGE_SIZE; the cursor of the next page is the last row's
(time, source rank, id). Ties in time are broken by the source's rank, then the id, so no
row repeats or goes missing between pages. The queries per page are a fixed number: one for
the entries, and per history source one for its rows plus what ``core.history`` needs to
diff them, whatever the number of entries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from core.history import HistoryEntry, HistorySource, source_entries
from core.tokens import position_dumps, position_loads

from .models import TIMELINE_FILTERS

PAGE_SIZE = 25
ENTRY_RANK = 0  # entries first among rows of the same instant, then each history source


@dataclass
class TimelineItem:
    at: datetime.datetime
    rank: int
    pk: int
    entry: object = None  # an activity Entry
    change: HistoryEntry | None = None  # a change of the record (core.history)
    label: str = ""  # "Location HQ" when the row is about something else than the record

    @property
    def kind(self) -> str:
        return self.entry.kind if self.entry is not None else "change"

    @property
    def key(self) -> tuple:
        return (self.at, -self.rank, self.pk)


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    filter: str
    next_cursor: str  # "" on the last page
    is_first: bool


@dataclass
class Position:
    at: datetime.datetime
    rank: int
    pk: int

    def dumps(self) -> str:
        return position_dumps({"t": self.at.isoformat(), "r": self.rank, "i": self.pk})

    @classmethod
    def loads(cls, text: str) -> Position | None:
        if not text:
            return None
        try:
            data = position_loads(text)
            at = parse_datetime(str(data["t"]))
            position = cls(at, int(data["r"]), int(data["i"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return None
        return position if position.at is not None else None


def _before(position: Position | None, rank: int, time_field: str, id_field: str) -> Q:
    """The rows of the source of ``rank`` that come after ``position`` in the timeline's
    order (time desc, rank asc, id desc)."""
    if position is None:
        return Q()
    if rank > position.rank:
        return Q(**{f"{time_field}__lte": position.at})
    if rank < position.rank:
        return Q(**{f"{time_field}__lt": position.at})
    return Q(**{f"{time_field}__lt": position.at}) | Q(
        **{time_field: position.at, f"{id_field}__lt": position.pk}
    )


def entry_label(entry, record) -> str:
    """What a customer's timeline says of an entry on one of its locations or assets."""
    if record is None or entry.record_type == record._meta.model_name:
        return ""
    return f"{entry.record._meta.verbose_name.capitalize()} {entry.record}"


def timeline_page(
    *,
    entries,
    history_sources: list[HistorySource],
    record,
    filter_key: str = "all",
    cursor: str = "",
    page_size: int = PAGE_SIZE,
) -> TimelinePage:
    """One page of the timeline of ``record``: ``entries`` is its (scoped) entries queryset,
    ``history_sources`` its changes."""
    if filter_key not in TIMELINE_FILTERS:
        filter_key = "all"
    kinds = TIMELINE_FILTERS[filter_key][1]
    position = Position.loads(cursor)
    wanted = page_size + 1
    candidates: list[TimelineItem] = []
    if kinds is None or kinds:
        rows = entries.filter(_before(position, ENTRY_RANK, "occurred_at", "id"))
        if kinds:
            rows = rows.filter(kind__in=kinds)
        for entry in rows.for_timeline().order_by("-occurred_at", "-id")[:wanted]:
            candidates.append(
                TimelineItem(
                    entry.occurred_at, ENTRY_RANK, entry.pk, entry, label=entry_label(entry, record)
                )
            )
    if kinds is None or kinds == []:
        for rank, source in enumerate(history_sources, start=ENTRY_RANK + 1):
            newest = (
                source.records.filter(_before(position, rank, "history_date", "history_id"))
                .select_related("history_user")
                .order_by("-history_date", "-history_id")[:wanted]
            )
            candidates += [
                TimelineItem(row.history_date, rank, row.history_id, change=row) for row in newest
            ]
    candidates.sort(key=lambda item: item.key, reverse=True)
    page, more = candidates[:page_size], len(candidates) > page_size
    _attach_changes(page, history_sources)
    return TimelinePage(
        items=page,
        filter=filter_key,
        next_cursor=Position(page[-1].at, page[-1].rank, page[-1].pk).dumps() if more else "",
        is_first=position is None,
    )


def _attach_changes(items: list[TimelineItem], sources: list[HistorySource]) -> None:
    """Build the field-by-field changes of the page's history rows, per source at once."""
    for rank, source in enumerate(sources, start=ENTRY_RANK + 1):
        mine = [item for item in items if item.rank == rank]
        for item, built in zip(
            mine, source_entries(source, [item.change for item in mine]), strict=True
        ):
            item.change = built
            item.label = source.label
