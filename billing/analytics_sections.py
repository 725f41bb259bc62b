"""Parts of the analytics pages that apps above billing add (tickets: support and
satisfaction; the portal: feature adoption), on the tenant's Analytics page and on a
customer's Analytics tab alike. An app registers an AnalyticsSection from its
AppConfig.ready(), so billing imports none of them.

``figures(customer_ids, span, per_customer)`` computes in a fixed number of aggregate
queries: ``customer_ids`` is None for every customer (unlimited staff) or the ids the page
covers; ``per_customer`` says whether a breakdown by customer is wanted (the tenant page)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from .analytics import MonthRange


@dataclass(frozen=True)
class AnalyticsSection:
    key: str
    template: str
    figures: Callable[[Collection[int] | None, MonthRange, bool], dict[str, Any]]
    order: int = 100


_sections: list[AnalyticsSection] = []


def register_analytics_section(section: AnalyticsSection) -> None:
    if all(existing.key != section.key for existing in _sections):
        _sections.append(section)
        _sections.sort(key=lambda s: s.order)


def analytics_sections(
    customer_ids: Collection[int] | None, span: MonthRange, *, per_customer: bool
) -> list[dict[str, Any]]:
    """Each registered section's template and figures, in order."""
    return [
        {"key": s.key, "template": s.template, "f": s.figures(customer_ids, span, per_customer)}
        for s in _sections
    ]
