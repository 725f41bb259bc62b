"""The mailbox poller: each tenant's support mail arrives in a Maildir folder of its own,
``<TICKETS_MAILDIR_ROOT>/<schema>/`` (written by the mail server that receives the tenant's
support address) or in an IMAP mailbox (tickets.imap), and is read every minute by the
worker or on demand with ``manage.py poll_ticket_mail``. Each message is handed to ``inbound.receive`` and removed
from the folder once its rows are committed; a message that cannot be handled is moved to
the folder's ``.failed`` sub-folder and logged, never retried in a loop, never lost."""

from __future__ import annotations

import logging
import mailbox
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from core.memo import memo_scope
from tenants.models import Tenant

from .inbound import prefetch_senders, receive

# Messages read ahead together: their senders are looked up in one query each.
PREFETCH = 200

logger = logging.getLogger(__name__)


@dataclass
class PollResult:
    read: int = 0
    failed: int = 0

    def __iadd__(self, other: PollResult) -> PollResult:
        self.read += other.read
        self.failed += other.failed
        return self


def maildir_of(schema_name: str) -> Path:
    return Path(settings.TICKETS_MAILDIR_ROOT) / schema_name


def poll_maildir(path: Path, *, limit: int | None = None) -> PollResult:
    """Read every message waiting in the Maildir at ``path`` (in the current tenant)."""
    result = PollResult()
    if not path.is_dir():
        return result
    box = mailbox.Maildir(path, factory=None, create=False)
    keys = sorted(box.iterkeys())
    if limit is not None:
        keys = keys[:limit]
    with memo_scope():  # who works tickets, SLA policies, the senders: read once per poll
        for start in range(0, len(keys), PREFETCH):
            batch = []
            for key in keys[start : start + PREFETCH]:
                try:
                    batch.append((key, box.get_bytes(key)))
                except (KeyError, OSError):
                    continue  # another poller took it
            prefetch_senders([raw for _key, raw in batch])
            for key, raw in batch:
                try:
                    receive(raw)
                except Exception:
                    logger.exception("Could not handle mail %s in %s", key, path)
                    box.add_folder("failed").add(raw)
                    result.failed += 1
                else:
                    result.read += 1
                box.discard(key)
    return result


def poll_current_tenant() -> PollResult:
    return poll_maildir(maildir_of(connection.schema_name))


@app.periodic(cron="* * * * *")  # every minute
@app.task(name="tickets.mailbox.poll_ticket_mail", queue="emails")
def poll_ticket_mail(timestamp: int) -> int:
    """Read every tenant's waiting support mail: its Maildir folder, and its IMAP mailbox
    when it has one (tickets.imap)."""
    from .imap import poll_current_tenant_imap

    total = PollResult()
    root = Path(settings.TICKETS_MAILDIR_ROOT)
    has_root = root.is_dir()
    for tenant in Tenant.objects.customer_tenants():
        has_folder = has_root and maildir_of(tenant.schema_name).is_dir()
        if not (has_folder or tenant.reads_imap):
            continue
        with schema_context(tenant.schema_name):
            try:
                if has_folder:
                    total += poll_current_tenant()
                if tenant.reads_imap and (read := poll_current_tenant_imap()) is not None:
                    total += PollResult(read.read, read.failed)
            except Exception:
                logger.exception("Polling support mail failed in %s", tenant.schema_name)
    return total.read
