"""The customer page's History tab merges the customer's own history with that of the records
other apps keep for it (locations, assets, projects). Those apps register a source with
register_history_source() from their AppConfig.ready(); this app imports none of them."""

from __future__ import annotations

from collections.abc import Callable

from core.history import HistorySource

from .models import Customer

# source(customer) -> HistorySource: one model's history records that concern the customer.
CustomerHistorySource = Callable[[Customer], HistorySource]

HISTORY_SOURCES: list[CustomerHistorySource] = []


def register_history_source(source: CustomerHistorySource) -> None:
    if source not in HISTORY_SOURCES:
        HISTORY_SOURCES.append(source)


def customer_history_sources(customer: Customer) -> list[HistorySource]:
    """The customer's own history, then each registered app's (in INSTALLED_APPS order)."""
    return [
        HistorySource("", Customer, customer.history.all()),
        *(source(customer) for source in HISTORY_SOURCES),
    ]
