"""Writes on custom field definitions, tags and a record's tags. Each is atomic, validated,
and recorded in history with the acting user and a reason. Removing a field takes its values
off every record with a history row per record (the old value stays in that record's
history); removing a tag does the same for the records that had it."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from core.services import save_with_history

from .models import CustomField, ObjectKind, Tag
from .values import forget_definitions

FIELD_EDITABLE = ("label", "required", "default", "help_text", "choices", "order", "show_in_list")
TAG_EDITABLE = ("name", "colour")
BATCH = 1000

MODEL_OF_KIND = {
    ObjectKind.CUSTOMER: "customers.Customer",
    ObjectKind.CONTACT: "customers.Contact",
    ObjectKind.LOCATION: "locations.Location",
    ObjectKind.ASSET: "assets.Asset",
}


def model_of(kind: str) -> type[models.Model]:
    return apps.get_model(MODEL_OF_KIND[kind])


@transaction.atomic
def custom_field_create(*, actor, **data: Any) -> CustomField:
    field = CustomField(**data)
    field.key = (field.key or "").strip().lower()
    if CustomField.objects.filter(object_kind=field.object_kind, key=field.key).exists():
        raise ValidationError({"key": "Another field of these records has this key."})
    if CustomField.objects.filter(
        object_kind=field.object_kind, label__iexact=(field.label or "").strip()
    ).exists():
        raise ValidationError({"label": "Another field of these records has this label."})
    forget_definitions()
    return save_with_history(field, actor=actor, reason="Created")


@transaction.atomic
def custom_field_update(*, field_id: int, data: dict[str, Any], actor) -> CustomField:
    """Change a definition; its key, type and records stay. Choices may grow or be renamed
    only if no record holds a removed choice."""
    unknown = sorted(set(data) - set(FIELD_EDITABLE))
    if unknown:
        raise ValueError(f"A custom field's {unknown} cannot be changed here.")
    field = CustomField.objects.select_for_update().get(pk=field_id)
    label = (data.get("label") or field.label).strip()
    if (
        CustomField.objects.filter(object_kind=field.object_kind, label__iexact=label)
        .exclude(pk=field.pk)
        .exists()
    ):
        raise ValidationError({"label": "Another field of these records has this label."})
    old_choices = list(field.choices)
    for name, value in data.items():
        setattr(field, name, value)
    field.full_clean()
    dropped = [choice for choice in old_choices if choice not in field.choices]
    if dropped and _holders(field, dropped).exists():
        raise ValidationError(
            {
                "choices": "Some records still hold "
                + ", ".join(f"“{c}”" for c in dropped)
                + ": change them first, or keep the choice."
            }
        )
    forget_definitions()
    return save_with_history(field, actor=actor, reason="Edited")


def _holders(field: CustomField, choices: list[str]) -> models.QuerySet:
    model = model_of(field.object_kind)
    condition = models.Q()
    for choice in choices:
        value = [choice] if field.field_type == "multi_choice" else choice
        condition |= models.Q(custom_field_data__contains={field.key: value})
    return model._base_manager.filter(condition)


@transaction.atomic
def custom_field_move(*, field_id: int, up: bool, actor) -> CustomField:
    """Swap a field with its neighbour in the form's order (renumbering the kind's fields
    10, 20, 30… so the order is never ambiguous)."""
    field = CustomField.objects.select_for_update().get(pk=field_id)
    siblings = list(CustomField.objects.select_for_update().for_kind(field.object_kind))
    index = next(i for i, item in enumerate(siblings) if item.pk == field.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        if item.order != position * 10:
            item.order = position * 10
            save_with_history(item, actor=actor, reason="Reordered")
    forget_definitions()
    return field


@transaction.atomic
def custom_field_delete(*, field_id: int, actor) -> int:
    """Remove a field and its values from every record; each record that had a value gets a
    history row ("Custom field … removed") whose previous row still holds the value. Returns
    how many records had a value."""
    field = CustomField.objects.select_for_update().get(pk=field_id)
    model = model_of(field.object_kind)
    holders = model._base_manager.filter(custom_field_data__has_key=field.key).order_by("pk")
    reason = f"Custom field “{field.label}” removed"
    changed = 0
    ids = list(holders.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(model._base_manager.filter(pk__in=ids[start : start + BATCH]))
        for record in batch:
            record.custom_field_data = {
                k: v for k, v in record.custom_field_data.items() if k != field.key
            }
            if hasattr(record, "refresh_search_fields"):
                record.refresh_search_fields()
        fields = ["custom_field_data"]
        if batch and hasattr(batch[0], "search_text"):
            fields.append("search_text")
        bulk_update_with_history(
            batch, model, fields, batch_size=500, default_user=actor, default_change_reason=reason
        )
        changed += len(batch)
    field._history_user = actor
    field._change_reason = f"Removed (values taken off {changed} records)"
    field.delete()
    forget_definitions()
    return changed


def _unique_slug(name: str, exclude_id: int | None = None) -> str:
    base = slugify(name)[:50] or "tag"
    slug, n = base, 2
    while Tag.objects.filter(slug=slug).exclude(pk=exclude_id).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def tag_create(*, name: str, colour: str, actor) -> Tag:
    name = (name or "").strip()
    if Tag.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "There is a tag with this name already."})
    tag = Tag(name=name, colour=colour, slug=_unique_slug(name))
    return save_with_history(tag, actor=actor, reason="Created")


@transaction.atomic
def tag_update(*, tag_id: int, data: dict[str, Any], actor) -> Tag:
    unknown = sorted(set(data) - set(TAG_EDITABLE))
    if unknown:
        raise ValueError(f"A tag's {unknown} cannot be changed here.")
    tag = Tag.objects.select_for_update().get(pk=tag_id)
    name = (data.get("name") or tag.name).strip()
    if Tag.objects.filter(name__iexact=name).exclude(pk=tag.pk).exists():
        raise ValidationError({"name": "There is a tag with this name already."})
    for key, value in data.items():
        setattr(tag, key, value.strip() if isinstance(value, str) else value)
    return save_with_history(tag, actor=actor, reason="Edited")


@transaction.atomic
def tag_delete(*, tag_id: int, actor) -> int:
    """Remove a tag from every record (each gets a history row saying so) and delete it."""
    tag = Tag.objects.select_for_update().get(pk=tag_id)
    total = 0
    for kind in ObjectKind.values:
        model = model_of(kind)
        records = list(model._base_manager.filter(tags=tag))
        if records:
            model.history.bulk_history_create(
                records,
                update=True,
                default_user=actor,
                default_change_reason=f"Tag “{tag.name}” removed",
            )
            total += len(records)
    tag._history_user = actor
    tag._change_reason = f"Removed (from {total} records)"
    tag.delete()
    return total


def apply_tags(*, obj, tags, actor) -> bool:
    """Give ``obj`` exactly ``tags`` (called by its save, inside the caller's transaction);
    when that changes anything, a history row names what was added and removed."""
    wanted = {tag.pk: tag for tag in tags}
    current = {tag.pk: tag for tag in obj.tags.all()}
    added = [wanted[pk] for pk in wanted.keys() - current.keys()]
    removed = [current[pk] for pk in current.keys() - wanted.keys()]
    if not added and not removed:
        return False
    if removed:
        obj.tags.remove(*removed)
    if added:
        obj.tags.add(*added)
    parts = [f"+{tag.name}" for tag in sorted(added, key=str)]
    parts += [f"−{tag.name}" for tag in sorted(removed, key=str)]
    # The save that carried the tags left its own reason on the record: this row has its own.
    saved_reason = getattr(obj, "_change_reason", None)
    obj._change_reason = f"Tags: {', '.join(parts)}"[:100]
    try:
        type(obj).history.bulk_history_create([obj], update=True, default_user=actor)
    finally:
        obj._change_reason = saved_reason
    return True
