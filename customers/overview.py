"""The customer page's overview, optionally rolled up over sub-accounts: the sections the apps
above customers register (billing: value and projects; assets; locations: sites), each a
handful of aggregate queries whatever the customer's size. Also the customer's family (its
sub-accounts), which the rollup, the portal and the sections read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from .models import MAX_PARENT_DEPTH


def customer_family_ids(customer_id: int) -> list[int]:
    """The customer and every sub-account below it (one recursive query)."""
    table = "customers_customer"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE family(id, depth) AS (
                SELECT id, 0 FROM {table} WHERE id = %s
                UNION
                SELECT c.id, f.depth + 1 FROM {table} c JOIN family f ON c.parent_id = f.id
                WHERE c.deleted_at IS NULL AND f.depth < %s
            )
            SELECT id FROM family
            """,
            [customer_id, MAX_PARENT_DEPTH],
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass
class Breakdown:
    total: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)
    extra: int = 0


def breakdown(rows, first_labels: dict, second_labels: dict) -> Breakdown:
    """Totals by category and by status from ``(category, status, count)`` rows."""
    firsts, seconds, total = Counter(), Counter(), 0
    for first, second, count in rows:
        firsts[first] += count
        seconds[second] += count
        total += count
    return Breakdown(
        total=total,
        by_category=[(label, firsts[key]) for key, label in first_labels.items() if firsts[key]],
        by_status=[(label, seconds[key]) for key, label in second_labels.items() if seconds[key]],
    )


@dataclass(frozen=True)
class OverviewSection:
    """One app's part of the overview: figures computed from the customer ids in a fixed
    number of aggregate queries, its cards (one column each of the first row) and, below
    them, its breakdowns (the second row, shown when any section ``has_details``)."""

    key: str
    figures: Callable[[list[int]], dict[str, Any]]
    template: str
    details_template: str = ""
    has_details: Callable[[dict[str, Any]], bool] = lambda figures: False
    order: int = 100


OVERVIEW_SECTIONS: list[OverviewSection] = []


def register_overview_section(section: OverviewSection) -> None:
    """From an AppConfig.ready(): billing (value, projects), assets, locations (sites)."""
    if all(existing.key != section.key for existing in OVERVIEW_SECTIONS):
        OVERVIEW_SECTIONS.append(section)
        OVERVIEW_SECTIONS.sort(key=lambda s: s.order)


def customer_overview(customer_ids: list[int]) -> dict[str, Any]:
    """Every section's figures, in one dict (each section names its own keys)."""
    figures: dict[str, Any] = {}
    for section in OVERVIEW_SECTIONS:
        figures.update(section.figures(customer_ids))
    return figures


def overview_has_details(figures: dict[str, Any]) -> bool:
    return any(section.has_details(figures) for section in OVERVIEW_SECTIONS)
