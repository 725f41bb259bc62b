"""What the requester of a ticket is emailed (queued after commit by tickets.services): that
the ticket was received, a public reply from staff, a status change. The subject carries the
ticket's reference and reply token, ``[T-1042 #a1b2c3d4e5f6]``, so an answer by email finds its
thread; the body links to the ticket in the portal."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from core.tasks import tenant_task
from tenants.models import Tenant

SUBJECTS = {
    "opened": "We received your request: {subject}",
    "reply": "Re: {subject}",
    "status": "{status}: {subject}",
}


def subject_tag(ticket) -> str:
    return f"[{ticket.reference} #{ticket.reply_token}]"


def ticket_message(ticket, kind: str, *, message=None) -> EmailMessage | None:
    from tenants.services import current_base_url

    address = ticket.requester_address
    if not address:
        return None
    tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    name = tenant.name if tenant else ""
    base = current_base_url(tenant) if tenant else ""
    rate_url = ""
    if base and kind == "status" and ticket.status == "resolved" and ticket.rated_at is None:
        rate_url = base + reverse("tickets:rate", args=[ticket.pk, ticket.reply_token])
    context = {
        "rate_url": rate_url,
        "ticket": ticket,
        "kind": kind,
        "message": message,
        "workspace": name,
        "url": base + ticket.portal_url() if base and ticket.requester_id else "",
    }
    subject = SUBJECTS[kind].format(subject=ticket.subject, status=ticket.get_status_display())
    _, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
    reply_to = settings.TICKETS_REPLY_TO.format(slug=tenant.slug) if tenant else ""
    return EmailMessage(
        subject=f"{subject} {subject_tag(ticket)}",
        body=render_to_string("tickets/email/ticket_message.txt", context),
        from_email=formataddr((name or "Support", sender)),
        to=[address],
        reply_to=[reply_to] if reply_to else None,
        headers={"Auto-Submitted": "auto-replied"} if kind == "opened" else None,
    )


@tenant_task(queue="emails")
def send_ticket_email(*, ticket_id: int, kind: str, message_id: int | None = None) -> int:
    from .models import Message, Ticket

    ticket = Ticket.objects.select_related("requester", "customer").filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    message = None
    if message_id is not None:
        message = (
            Message.objects.select_related("author")
            .filter(pk=message_id, ticket=ticket, is_internal=False)
            .first()
        )
        if message is None:
            return 0  # merged away or never public: nothing to send
    email = ticket_message(ticket, kind, message=message)
    return email.send() if email is not None else 0
