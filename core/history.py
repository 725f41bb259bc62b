"""What History tabs show: who, when, why and field-by-field before → after, for one page of
records (of one model, or of several merged newest-first), in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import models
from django_countries.fields import CountryField

HIDDEN_FIELDS = {
    "version",
    "search_text",
    "phone_digits",
    "updated_at",
    "created_at",
    "archived_at",
}
EVENT_LABELS = {"+": "Created", "~": "Changed", "-": "Removed"}
PAGE_SIZE = 25


@dataclass
class HistoryEntry:
    record: object
    reason: str
    label: str = ""
    url: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class HistorySource:
    """One model's history records, labelled (e.g. "Location") in a merged history."""

    label: str
    model: type[models.Model]
    records: models.QuerySet


def field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name.replace("_", " ").capitalize()


def display_value(model, name: str, value, names: dict) -> str:
    if value in (None, "", {}):
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        model_field = None
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.related_model, value), f"#{value} (removed)")
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, CountryField):
        return str(dict(model_field.choices).get(str(value), value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _foreign_names(model, records) -> dict:
    """Names of every object a foreign key in ``records`` points at: one query per target."""
    wanted = defaultdict(set)
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, models.ForeignKey) and model_field.name != "history_user":
            for record in records:
                value = getattr(record, model_field.attname, None)
                if value is not None:
                    wanted[model_field.related_model].add(value)
    names = {}
    for related, ids in wanted.items():
        for pk, label in related._base_manager.filter(pk__in=ids).values_list(
            "pk", _label_field(related)
        ):
            names[(related, pk)] = label
    return names


def _label_field(model) -> str:
    """What names a related record in history: its name, else (people) its email."""
    names = {f.name for f in model._meta.fields}
    return next((name for name in ("name", "email", "subject") if name in names), "pk")


NAMES = "names"  # the key of _m2m_sets() that holds the related names


def _m2m_fields(model) -> list:
    """The many-to-many fields simple-history tracks for ``model``."""
    return list(getattr(model.history.model, "_history_m2m_fields", []))


def _m2m_sets(model, records) -> dict:
    """For each history record, the ids each tracked many-to-many field held then, and under
    the key ``NAMES`` each field's names for those ids: two queries per field for the whole
    page (simple-history's own diff queries twice per record)."""
    sets: dict = defaultdict(lambda: defaultdict(set))
    for m2m_field in _m2m_fields(model):
        through = next(
            rel.related_model
            for rel in model.history.model._meta.related_objects
            if rel.field.name == "history"
            and rel.related_model.__name__.endswith(f"_{m2m_field.name}")
        )
        target = m2m_field.m2m_reverse_field_name()
        rows = through.objects.filter(history_id__in=[r.history_id for r in records]).values_list(
            "history_id", target
        )
        related_ids = set()
        for history_id, related_id in rows:
            sets[history_id][m2m_field.name].add(related_id)
            related_ids.add(related_id)
        sets[NAMES][m2m_field.name] = dict(
            m2m_field.related_model._base_manager.filter(pk__in=related_ids).values_list(
                "pk", "name"
            )
        )
    return sets


def _m2m_changes(model, record, older, sets) -> list[tuple[str, str, str]]:
    changes = []
    for m2m_field in _m2m_fields(model):
        before, after = (
            sets[older.history_id][m2m_field.name],
            sets[record.history_id][m2m_field.name],
        )
        if before != after:
            names = sets[NAMES][m2m_field.name]
            shown = [
                ", ".join(sorted(names.get(i, f"#{i}") for i in ids)) or "—"
                for ids in (before, after)
            ]
            changes.append((field_label(model, m2m_field.name), *shown))
    return changes


def _entry(model, record, older, names, label="", url="", m2m_sets=None) -> HistoryEntry:
    reason = record.history_change_reason or EVENT_LABELS.get(record.history_type, "")
    entry = HistoryEntry(record=record, reason=reason, label=label, url=url)
    if older is not None and older.history_type != "-":
        m2m_names = {f.name for f in _m2m_fields(model)}
        delta = record.diff_against(
            older, excluded_fields=list((HIDDEN_FIELDS & _field_names(model)) | m2m_names)
        )
        if m2m_names:
            entry.changes += _m2m_changes(
                model, record, older, m2m_sets or _m2m_sets(model, [record, older])
            )
        for change in delta.changes:
            if isinstance(change.old, dict | None) and isinstance(change.new, dict | None):
                entry.changes += _json_changes(model, change.field, change.old, change.new)
                continue
            entry.changes.append(
                (
                    field_label(model, change.field),
                    display_value(model, change.field, change.old, names),
                    display_value(model, change.field, change.new, names),
                )
            )
    return entry


def _json_changes(model, name: str, old: dict | None, new: dict | None) -> list:
    """A JSON object's change key by key, each under its label when the model names them
    (``history_json_labels``: custom fields by their definitions) and in that order."""
    labels_of = getattr(model, "history_json_labels", None)
    labels = labels_of(name) if labels_of else {}
    old, new = old or {}, new or {}
    changed = [key for key in (old.keys() | new.keys()) if old.get(key) != new.get(key)]
    order = {key: index for index, key in enumerate(labels)}
    changed.sort(key=lambda key: (order.get(key, len(order)), key))
    prefix = field_label(model, name) if not labels else ""
    return [
        (
            labels.get(key) or (f"{prefix}: {key}" if prefix else key),
            _json_value(old.get(key)),
            _json_value(new.get(key)),
        )
        for key in changed
    ]


def _json_value(value) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _field_names(model) -> set[str]:
    return {f.name for f in model._meta.fields}


def history_page(model, history_queryset, page_number) -> tuple[Page, list[HistoryEntry]]:
    """One object's history, newest first, each record diffed against the one before it."""
    ordered = history_queryset.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    page = Paginator(ordered, PAGE_SIZE).get_page(page_number)
    if not page.object_list:
        return page, []
    records = list(ordered[page.start_index() - 1 : page.end_index() + 1])
    names = _foreign_names(model, records)
    m2m_sets = _m2m_sets(model, records)
    entries = [
        _entry(
            model,
            record,
            records[i + 1] if i + 1 < len(records) else None,
            names,
            m2m_sets=m2m_sets,
        )
        for i, record in enumerate(records[: len(page.object_list)])
    ]
    return page, entries


class _MergedCount:
    """Stands in for the merged records so Django's Paginator can number the pages."""

    def __init__(self, total: int):
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key):
        return range(self.total)[key]


def merged_history_page(
    sources: list[HistorySource], page_number
) -> tuple[Page, list[HistoryEntry]]:
    """Several models' histories as one list, newest first, each entry labelled."""
    total = sum(source.records.count() for source in sources)
    paginator = Paginator(_MergedCount(total), PAGE_SIZE)
    page = paginator.get_page(page_number)
    if total == 0:
        return page, []
    needed = page.end_index()
    candidates = []
    for source in sources:
        newest = source.records.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        candidates += [(record.history_date, source, record) for record in newest[:needed]]
    candidates.sort(key=lambda item: (item[0], item[2].history_id), reverse=True)
    chosen = candidates[page.start_index() - 1 : needed]
    built = {}
    for source in sources:
        mine = [record for _, s, record in chosen if s is source]
        for record, entry in zip(mine, source_entries(source, mine), strict=True):
            built[(id(source), record.history_id)] = entry
    return page, [built[(id(source), record.history_id)] for _, source, record in chosen]


def source_entries(source: HistorySource, records: list) -> list[HistoryEntry]:
    """``records`` of one source (any page of them, e.g. a timeline's), each diffed against
    the version before it and labelled: a fixed number of queries for the lot."""
    if not records:
        return []
    previous = _previous_versions(source, records)
    names = _foreign_names(source.model, records + [v for v in previous.values() if v is not None])
    return [
        _entry(
            source.model,
            record,
            previous.get(record.history_id),
            names,
            source.label,
            _url_of(source.model, record),
        )
        for record in records
    ]


def _previous_versions(source: HistorySource, records) -> dict:
    """For each record, the version of the same object just before it (one query)."""
    object_ids = {record.id for record in records}
    newest = max(record.history_date for record in records)
    earlier = (
        source.model.history.filter(id__in=object_ids, history_date__lte=newest)
        .order_by("id", "-history_date", "-history_id")
        .only(*[f.attname for f in source.model.history.model._meta.concrete_fields])
    )
    by_object = defaultdict(list)
    for version in earlier:
        by_object[version.id].append(version)
    previous = {}
    for record in records:
        versions = by_object[record.id]
        for index, version in enumerate(versions):
            if version.history_id == record.history_id:
                previous[record.history_id] = (
                    versions[index + 1] if index + 1 < len(versions) else None
                )
                break
    return previous


def _url_of(model, record) -> str:
    try:
        return model(pk=record.id).get_absolute_url()
    except Exception:
        return ""
