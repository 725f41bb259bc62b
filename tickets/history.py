"""What tickets add to the customer page's History tab: tickets opened, answered, moved on,
assigned and merged. Registered by TicketsConfig.ready(): customers imports nothing of
tickets."""

from __future__ import annotations

from core.history import HistorySource

from .models import Ticket


def tickets_history(customer) -> HistorySource:
    return HistorySource("Ticket", Ticket, Ticket.history.filter(customer_id=customer.pk))
