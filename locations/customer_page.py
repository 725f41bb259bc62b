"""What locations adds to the customers app's pages: the Sites section of a customer's
overview, the Locations count on the customer list and the locations' history on a customer's
History tab (the Locations tab is views.CustomerLocationsView). Registered by
LocationsConfig.ready(): customers imports nothing of locations."""

from __future__ import annotations

from django.db.models import Count

from core.history import HistorySource
from customers.history import register_history_source
from customers.overview import OverviewSection, breakdown, register_overview_section
from customers.querysets import CountColumn, register_count_column

from .models import Location, LocationStatus, LocationType


def sites_overview(customer_ids: list[int]) -> dict:
    """The customers' live sites by type and status (one grouped query)."""
    sites = breakdown(
        Location.objects.filter(customer_id__in=customer_ids, is_archived=False)
        .values_list("location_type", "status")
        .annotate(count=Count("pk"))
        .order_by(),
        dict(LocationType.choices),
        dict(LocationStatus.choices),
    )
    return {"sites": sites}


def locations_count(customer_ids: list[int]):
    return (
        Location.objects.filter(customer_id__in=customer_ids, is_archived=False)
        .values_list("customer_id")
        .annotate(n=Count("pk"))
    )


def locations_history(customer) -> HistorySource:
    return HistorySource("Location", Location, Location.history.filter(customer_id=customer.pk))


def register() -> None:
    register_overview_section(
        OverviewSection(
            "sites",
            sites_overview,
            template="locations/_customer_overview.html",
            details_template="locations/_customer_overview_details.html",
            has_details=lambda figures: bool(figures["sites"].total),
            order=30,
        )
    )
    register_count_column(CountColumn("locations_count", "Locations", locations_count))
    register_history_source(locations_history)
