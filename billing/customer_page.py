"""What billing adds to the customers app's pages: the value and Projects section of a
customer's overview and the projects' history on a customer's History tab (the Projects tab
is views.projects.CustomerProjectsView, the Billing tab views.customer_tab). Registered by
BillingConfig.ready(): customers imports nothing of billing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from core.history import HistorySource
from customers.history import register_history_source
from customers.overview import OverviewSection, register_overview_section

from .models import Project
from .querysets import status_conditions

# Other parts of a customer's value (contracts: the value of running contracts), each
# ``source(customer_ids) -> (label, amount)`` in one query; registered from an
# AppConfig.ready(), so billing imports none of them.
_value_sources: list[Callable[[list[int]], tuple[str, Decimal]]] = []


def register_value_source(source: Callable[[list[int]], tuple[str, Decimal]]) -> None:
    if source not in _value_sources:
        _value_sources.append(source)


def projects_overview(customer_ids: list[int]) -> dict:
    """The customers' projects by status, and the value and monthly fee of the active ones
    (one aggregate query), with the other parts of the customer's value (one query each)."""
    conditions = status_conditions(timezone.localdate())
    projects = Project.objects.filter(customer_id__in=customer_ids).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
        active_value=Sum("contract_value", filter=conditions["active"]),
        active_monthly=Sum("monthly_fee", filter=conditions["active"]),
    )
    parts = [("active projects", projects["active_value"] or Decimal("0"))]
    parts += [source(customer_ids) for source in _value_sources]
    return {
        "projects": projects,
        "value": sum((amount for _, amount in parts), Decimal("0")),
        "value_parts": parts,
        "monthly": projects["active_monthly"] or Decimal("0"),
    }


def projects_history(customer) -> HistorySource:
    return HistorySource("Project", Project, Project.history.filter(customer_id=customer.pk))


def register() -> None:
    register_overview_section(
        OverviewSection(
            "projects", projects_overview, template="billing/_customer_overview.html", order=10
        )
    )
    register_history_source(projects_history)
