"""Tickets are reached like the company they are for: staff by their scope, customer users of
that company (and of its parent) through ``restrict``; the portal needs "See tickets" to read
them and "Open tickets" to open and answer them."""

from __future__ import annotations

from django.db.models import Q

from core.querysets import ScopedQuerySet

OPEN_STATUSES = ("new", "open", "waiting")
COMPANY_MATCHES = 200  # a search by company name looks among this many companies


class TicketQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    portal_actions = {"view": "view_tickets", "change": "open_tickets"}

    def unresolved(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def search(self, value: str) -> TicketQuerySet:
        """By number (``T-42``, ``#42``, ``42``), subject or company name: each an indexed
        condition on the ticket table (the subject's trigram index, the ids of at most
        COMPANY_MATCHES companies found by their name's trigram index), so PostgreSQL ORs
        bitmaps instead of scanning."""
        from customers.models import Customer

        value = (value or "").strip()
        if not value:
            return self
        number = value.lstrip("#").removeprefix("T-").removeprefix("t-")
        if number.isdigit() and len(number) < 10 and number != value.lstrip("#"):
            return self.filter(pk=int(number))  # "T-42": the ticket, nothing else
        # The companies' ids first (a few, from their name's index): as a list PostgreSQL ORs
        # two index scans; as a subquery it filtered every ticket row by row.
        companies = list(
            Customer._base_manager.filter(name__icontains=value).values_list("pk", flat=True)[
                :COMPANY_MATCHES
            ]
        )
        condition = Q(subject__icontains=value)
        if companies:
            condition |= Q(customer_id__in=companies)
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


class TimeEntryQuerySet(ScopedQuerySet):
    scope_paths = ("ticket__customer",)
    portal_actions: dict[str, str] = {}  # staff bookkeeping: never shown in the portal


class InboundQuerySet(ScopedQuerySet):
    """Emails the poller read: tenant-wide, staff only (``scope_paths`` empty)."""

    scope_paths = ()
    portal_actions = {}

    def in_triage(self) -> InboundQuerySet:
        return self.filter(outcome="triage")
