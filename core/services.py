"""Write helpers every app's services share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from core.events import emit_event, emit_events


class ConcurrentEditError(Exception):
    """A record changed after the caller read it, found under the row lock. Pages answer it
    with the conflict message, the API with the same 412 as a stale If-Match."""


def save_with_history(obj: models.Model, *, actor, reason: str, event: str = "") -> models.Model:
    """Validate and save ``obj``; its history record names ``actor`` and ``reason``; with an
    ``event``, webhooks subscribed to it get the field-by-field changes."""
    obj._history_user = actor
    obj._change_reason = reason
    full_clean(obj)
    obj.save()
    if event:
        emit_event(event, obj=obj, changes=lambda: latest_changes(obj))
    return obj


def full_clean(obj: models.Model) -> None:
    """``obj.full_clean()`` without asking the database whether a related record the caller
    loaded exists (one query per foreign key per write). Such a check takes no lock, so it
    proves no more than the load did moments before in the same transaction; the foreign key
    constraint stays the guarantee. Unique checks and constraints run as always, but for a
    new record's ``random_unique_fields`` (a random secret it was just given: asking whether
    another record has it would almost never find one, and the unique index still refuses
    it)."""
    trusted = [
        field.name
        for field in obj._meta.concrete_fields
        if field.many_to_one
        and field.is_cached(obj)
        and (related := field.get_cached_value(obj)) is not None
        and not related._state.adding
        and related.pk is not None
        and related.pk == getattr(obj, field.attname)
    ]
    random = set(getattr(obj, "random_unique_fields", ())) if obj._state.adding else set()
    if not trusted and not random:
        obj.full_clean()
        return
    errors: dict = {}
    try:
        obj.clean_fields(exclude=trusted)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        obj.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    failed = set(errors)
    for check, exclude in (
        (obj.validate_unique, failed | random),
        (obj.validate_constraints, failed),
    ):
        try:
            check(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def latest_changes(obj: models.Model) -> list[dict]:
    """Field-by-field changes of the newest history record against the one before."""
    records = list(obj.history.order_by("-history_date", "-history_id")[:2])
    if len(records) < 2:
        return []
    from core.history import HIDDEN_FIELDS

    fields = {f.name for f in type(obj)._meta.fields} & HIDDEN_FIELDS
    delta = records[0].diff_against(records[1], excluded_fields=list(fields))
    return [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]


def bulk_change_with_history(
    objects: list[models.Model],
    *,
    fields: list[str],
    actor,
    reason: str,
    event: str = "",
    **changes: Any,
) -> int:
    """Set ``changes`` on every object and save them in one statement, one history row each;
    with an ``event``, webhooks get each object's field-by-field changes."""
    deltas = []
    for obj in objects:
        delta = []
        for field, value in changes.items():
            old = getattr(obj, field)
            setattr(obj, field, value)
            if old != value:
                delta.append({"field": field, "old": _plain(old), "new": _plain(value)})
        deltas.append((obj, delta))
        if hasattr(obj, "refresh_search_fields"):
            obj.refresh_search_fields()
    if not objects:
        return 0
    model = type(objects[0])
    bulk_update_with_history(
        objects, model, fields, batch_size=500, default_user=actor, default_change_reason=reason
    )
    if event:
        emit_events(event, deltas)
    return len(objects)


def _plain(value: Any) -> Any:
    """A related object as its id, as history diffs show it."""
    return value.pk if isinstance(value, models.Model) else value


def archive_changes(archived: bool) -> dict[str, Any]:
    return {"is_archived": archived, "archived_at": timezone.now() if archived else None}


def model_update(
    *,
    instance: models.Model,
    fields: list[str],
    data: dict[str, Any],
    actor,
    reason: str,
    event: str = "",
) -> tuple[models.Model, list[str]]:
    """Set ``data`` on ``instance`` (HackSoft's ``model_update``): only the ``fields`` named
    may change, a key outside them is refused. Nothing is saved (no history row, no event)
    when no value differs; otherwise ``full_clean()`` and one save with ``actor`` and
    ``reason`` in its history. The caller locks ``instance`` (``select_for_update``) and
    opens the transaction. A file field takes an upload, ``False`` to clear it, or ``None``
    (or its current file) to keep it, as a form's ``cleaned_data`` carries them. Returns the
    instance and the names of the fields that changed."""
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"{type(instance).__name__} cannot be changed here: {unknown}")
    changed = []
    for name in fields:
        if name not in data:
            continue
        field = instance._meta.get_field(name)
        value = data[name]
        if isinstance(field, models.FileField):
            if _file_changes(getattr(instance, name), value):
                field.save_form_data(instance, value)
                changed.append(name)
        elif getattr(instance, field.attname if field.is_relation else name) != (
            value.pk if field.is_relation and isinstance(value, models.Model) else value
        ):
            setattr(instance, name, value)
            changed.append(name)
    if changed:
        save_with_history(instance, actor=actor, reason=reason, event=event)
    return instance, changed


def _file_changes(current: FieldFile, value: Any) -> bool:
    if value is None:
        return False  # no upload: keep the file
    if value is False or value == "":
        return bool(current)  # clear
    if isinstance(value, FieldFile):
        return value.name != current.name
    return isinstance(value, File) or value != current.name
