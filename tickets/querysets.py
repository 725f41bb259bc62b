"""Tickets are reached like the company they are for: staff by their scope, customer users of
that company (and of its parent) through ``restrict``; the portal needs "See tickets" to read
them and "Open tickets" to open and answer them."""

from __future__ import annotations

from django.db.models import Q

from core.querysets import ScopedQuerySet

OPEN_STATUSES = ("new", "open", "waiting")


class TicketQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    portal_actions = {"view": "view_tickets", "change": "open_tickets"}

    def unresolved(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def search(self, value: str) -> TicketQuerySet:
        value = (value or "").strip()
        if not value:
            return self
        number = value.lstrip("#").removeprefix("T-").removeprefix("t-")
        condition = Q(subject__icontains=value) | Q(customer__name__icontains=value)
        if number.isdigit() and len(number) < 10:
            condition |= Q(pk=int(number))
        return self.filter(condition)

    def for_queue(self) -> TicketQuerySet:
        return self.select_related("customer", "assignee", "requester")


class MessageQuerySet(ScopedQuerySet):
    scope_paths = ("ticket__customer",)
    portal_actions = {"view": "view_tickets"}

    def public(self) -> MessageQuerySet:
        return self.filter(is_internal=False)


class AttachmentQuerySet(ScopedQuerySet):
    scope_paths = ("ticket__customer",)
    portal_actions = {"view": "view_tickets"}

    def public(self) -> AttachmentQuerySet:
        """Attachments of the ticket's description or of a public reply (never of a note)."""
        return self.filter(Q(message__isnull=True) | Q(message__is_internal=False))


class InboundQuerySet(ScopedQuerySet):
    """Emails the poller read: tenant-wide, staff only (``scope_paths`` empty)."""

    scope_paths = ()
    portal_actions = {}

    def in_triage(self) -> InboundQuerySet:
        return self.filter(outcome="triage")
