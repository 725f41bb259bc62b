"""Write helpers every app's services share."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_update_with_history


def save_with_history(obj: models.Model, *, actor, reason: str) -> models.Model:
    """Validate and save ``obj``; its history record names ``actor`` and ``reason``."""
    obj._history_user = actor
    obj._change_reason = reason
    obj.full_clean()
    obj.save()
    return obj


def bulk_change_with_history(
    objects: list[models.Model], *, fields: list[str], actor, reason: str, **changes: Any
) -> int:
    """Set ``changes`` on every object and save them in one statement, one history row each."""
    for obj in objects:
        for field, value in changes.items():
            setattr(obj, field, value)
        if hasattr(obj, "refresh_search_fields"):
            obj.refresh_search_fields()
    if not objects:
        return 0
    model = type(objects[0])
    bulk_update_with_history(
        objects, model, fields, batch_size=500, default_user=actor, default_change_reason=reason
    )
    return len(objects)


def archive_changes(archived: bool) -> dict[str, Any]:
    return {"is_archived": archived, "archived_at": timezone.now() if archived else None}
