"""Turn simple-history records into what the History tab shows: who, when, why and
field-by-field before → after, for one page of records in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django_countries import countries

from .models import BusinessType, Customer, CustomerStatus, PortalAccess
from .services import HISTORY_HIDDEN_FIELDS, field_label

CHOICE_LABELS = {
    "business_type": dict(BusinessType.choices),
    "status": dict(CustomerStatus.choices),
    "portal_access": dict(PortalAccess.choices),
}
COUNTRY_FIELDS = {"country", "billing_country"}
EVENT_LABELS = {"+": "Created", "~": "Changed", "-": "Removed"}
HISTORY_PAGE_SIZE = 25


@dataclass
class HistoryEntry:
    record: object
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def display_value(field_name: str, value, names: dict[int, str]) -> str:
    if value in (None, "", {}):
        return "—"
    if field_name in CHOICE_LABELS:
        return CHOICE_LABELS[field_name].get(value, value)
    if field_name in COUNTRY_FIELDS:
        return dict(countries).get(str(value), str(value))
    if field_name == "parent":
        return names.get(value, f"customer #{value} (purged)")
    if field_name in ("is_archived",):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def history_page(history_queryset, page_number) -> tuple[object, list[HistoryEntry]]:
    """A page of records newest first, each diffed against the record just before it."""
    ordered = history_queryset.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    paginator = Paginator(ordered, HISTORY_PAGE_SIZE)
    page = paginator.get_page(page_number)
    if not page.object_list:
        return page, []
    start = page.start_index() - 1
    records = list(ordered[start : page.end_index() + 1])
    parent_ids = {getattr(r, "parent_id", None) for r in records} - {None}
    names = dict(Customer.objects.filter(pk__in=parent_ids).values_list("pk", "name"))
    entries = []
    for index, record in enumerate(records[: len(page.object_list)]):
        older = records[index + 1] if index + 1 < len(records) else None
        reason = record.history_change_reason or EVENT_LABELS.get(record.history_type, "")
        entry = HistoryEntry(record=record, reason=reason)
        if older is not None and older.history_type != "-":
            delta = record.diff_against(older, excluded_fields=HISTORY_HIDDEN_FIELDS)
            for change in delta.changes:
                name = change.field
                entry.changes.append(
                    (
                        field_label(name),
                        display_value(name, change.old, names),
                        display_value(name, change.new, names),
                    )
                )
        entries.append(entry)
    return page, entries
