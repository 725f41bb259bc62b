"""The activity's background work: the mention emails (queued after a note commits) and the
reminder job, which runs every minute and sends each tenant's due task reminders once."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from core.tasks import tenant_task
from tenants.models import Tenant

logger = logging.getLogger(__name__)


def record_url_absolute(entry) -> str:
    """The entry's record page on the tenant's primary domain ("" without one)."""
    from tenants.services import current_base_url

    from .urls_helpers import record_url

    base = current_base_url()
    return base + record_url(entry.record) if base else ""


def reminder_message(entry) -> EmailMessage:
    """The reminder of a task, to its assignee."""
    context = {"entry": entry, "record": entry.record, "url": record_url_absolute(entry)}
    return EmailMessage(
        subject=f"Reminder: {entry.title} (due {entry.due_date:%Y-%m-%d})",
        body=render_to_string("activity/email/task_reminder.txt", context),
        to=[entry.assignee.email],
    )


@tenant_task(queue="emails")
def send_mention_email(*, entry_id: int, user_ids: list[int]) -> int:
    """Tell the staff users a note (or call, or task) mentions that it does."""
    from .markdown import staff_users
    from .models import Entry

    entry = (
        Entry.objects.select_related("author", "customer", "location", "asset")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        return 0
    url = record_url_absolute(entry)
    sent = 0
    for user in staff_users().filter(pk__in=user_ids):
        context = {"entry": entry, "record": entry.record, "url": url, "user": user}
        EmailMessage(
            subject=f"{entry.author or 'Someone'} mentioned you on {entry.record}",
            body=render_to_string("activity/email/mention.txt", context),
            to=[user.email],
        ).send()
        sent += 1
    return sent


@app.periodic(cron="* * * * *")  # every minute
@app.task(name="activity.tasks.send_task_reminders", queue="emails")
def send_task_reminders(timestamp: int) -> int:
    """Send every tenant's due task reminders (each once: see task_reminders_send)."""
    from .services import task_reminders_send

    sent = 0
    for tenant in Tenant.objects.customer_tenants():
        with schema_context(tenant.schema_name):
            try:
                sent += task_reminders_send()
            except Exception:
                logger.exception("Task reminders failed in %s", tenant.schema_name)
    return sent
