"""Merging a duplicate ticket into the ticket it repeats (tickets.services' rules: the actor's
scope, both tickets locked, history on both, nothing partial)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from activity.markdown import render_plain
from core.querysets import parse_id
from core.scope import scope_for
from core.services import save_with_history

from .models import Attachment, Message, MessageSource, Ticket, TicketStatus
from .services import _check_staff, _set_status, _text, _ticket_for


def ticket_merge(*, actor: User, ticket_id, into_id, reason: str = "") -> Ticket:
    """Merge a duplicate into the ticket it repeats (of the same company): its description
    and thread and files move to the other ticket's thread, it is closed with a pointer to
    it, and both histories say so. Returns the ticket merged into."""
    scope = scope_for(actor)
    _check_staff(scope)
    try:
        into_pk = parse_id(_text(into_id).lstrip("#").removeprefix("T-").removeprefix("t-"))
    except Http404:
        raise ValidationError(
            {"into": "Give the number of the ticket to merge into (T-123)."}
        ) from None
    if into_pk == parse_id(ticket_id):
        raise ValidationError({"into": "A ticket cannot be merged into itself."})
    with transaction.atomic():
        # Lock both in id order, so two merges of the same pair cannot deadlock.
        first, second = sorted([parse_id(ticket_id), into_pk])
        locked = {}
        for pk in (first, second):
            try:
                locked[pk] = _ticket_for(actor, pk)
            except Http404:
                if pk == into_pk:
                    raise ValidationError(
                        {"into": f"There is no ticket T-{into_pk} you can reach."}
                    ) from None
                raise
        duplicate, target = locked[parse_id(ticket_id)], locked[into_pk]
        if target.customer_id != duplicate.customer_id:
            raise ValidationError({"into": f"T-{into_pk} is another company's ticket."})
        if duplicate.merged_into_id or target.merged_into_id:
            raise ValidationError({"into": "A merged ticket cannot be merged again."})
        now = timezone.now()
        opening = Message.objects.create(
            ticket=target,
            author=duplicate.requester or duplicate.opened_by,
            author_email=duplicate.requester_email,
            body=f"**Merged from {duplicate.reference}: {duplicate.subject}**\n\n{duplicate.description}",
            body_html=render_plain(
                f"**Merged from {duplicate.reference}: {duplicate.subject}**\n\n{duplicate.description}"
            ),
            from_staff=False,
            source=MessageSource.CONSOLE,
        )
        # The duplicate's description takes its place in time among the moved replies.
        Message.objects.filter(pk=opening.pk).update(created_at=duplicate.created_at)
        Message.objects.filter(ticket=duplicate).update(ticket=target)
        Attachment.objects.filter(ticket=duplicate, message__isnull=True).update(
            ticket=target, message=opening
        )
        Attachment.objects.filter(ticket=duplicate).update(ticket=target)
        duplicate.merged_into = target
        _set_status(duplicate, TicketStatus.CLOSED, now)
        duplicate.last_activity_at = now
        note = _text(reason)[:200]
        save_with_history(
            duplicate,
            actor=actor,
            reason=f"Merged into {target.reference}" + (f": {note}" if note else ""),
            event="ticket.updated",
        )
        target.last_activity_at = now
        save_with_history(
            target,
            actor=actor,
            reason=f"{duplicate.reference} merged into it",
            event="ticket.updated",
        )
    return target
