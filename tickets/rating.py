"""Satisfaction: when a ticket is resolved its requester is asked, once, how it went (good,
okay, bad, and a comment), by a link in the resolution email (the ticket's secret reply
token, so a guessed or another tenant's link is the same 404) or on the ticket's portal
page. A bad rating is told to whoever worked the ticket."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.models import User
from core.notifications import NotificationKind, notify
from core.services import save_with_history

from .models import Rating, Ticket, TicketStatus

RATEABLE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def ticket_by_link(pk, token: str) -> Ticket:
    """The ticket a rating link names, or the same 404 for any wrong part."""
    try:
        ticket = Ticket.objects.select_related("customer", "assignee").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        ticket = None
    if ticket is None or not constant_time_compare(ticket.reply_token, str(token or "")):
        raise Http404("No such ticket.")
    return ticket


def ticket_rate(*, ticket_id: int, score: str, comment: str = "", actor: User | None) -> Ticket:
    """Record the one rating of a resolved ticket."""
    if score not in Rating.values:
        raise ValidationError({"score": "Choose good, okay or bad."})
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": "Keep the comment under 2,000 characters."})
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("assignee")
            .get(pk=ticket_id)
        )
        if ticket.rated_at is not None:
            raise ValidationError("This ticket was rated already: thank you.")
        if ticket.status not in RATEABLE:
            raise ValidationError("A ticket is rated once it is resolved.")
        ticket.rating, ticket.rating_comment, ticket.rated_at = score, comment, timezone.now()
        save_with_history(
            ticket,
            actor=actor,
            reason=f"Rated {Rating(score).label.lower()}",
            event="ticket.updated",
        )
        if score == Rating.BAD and ticket.assignee_id:
            notify(
                [ticket.assignee],
                kind=NotificationKind.TICKET_RATED_BAD,
                message=f"{ticket.reference} was rated bad by {ticket.customer}",
                url=ticket.get_absolute_url(),
            )
    return ticket
