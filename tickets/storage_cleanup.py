"""Stored bytes that go with their rows: an email's raw message once its row is deleted."""

from __future__ import annotations

from django.db import transaction

from documents.storage import discard


def discard_raw_after_commit(sender, instance, **kwargs) -> None:
    key = instance.raw.name
    if key:
        transaction.on_commit(lambda: discard(key))
