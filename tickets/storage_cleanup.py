"""Stored bytes that go with their rows: an email's raw message once its row is deleted, and
the service desk's folders swept of bytes no row names (documents.services)."""

from __future__ import annotations

from django.db import transaction

from documents.storage import discard


def discard_raw_after_commit(sender, instance, **kwargs) -> None:
    key = instance.raw.name
    if key:
        transaction.on_commit(lambda: discard(key))


def known_attachments(keys: list[str]) -> set[str]:
    """Which of the ``tickets`` folder's keys an attachment names (documents' sweep)."""
    from .models import Attachment

    return set(Attachment.objects.filter(file__in=keys).values_list("file", flat=True))


def known_raw_emails(keys: list[str]) -> set[str]:
    """Which of the ``tickets-inbound`` folder's keys a read email names."""
    from .models import InboundEmail

    return set(InboundEmail.objects.filter(raw__in=keys).values_list("raw", flat=True))
