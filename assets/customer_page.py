"""What assets adds to the customers app's pages: the Assets section of a customer's overview,
the "Assets on location" and "Assets owned" counts on the customer list and the assets'
history on a customer's History tab (the two asset tabs are in views). Registered by
AssetsConfig.ready(): customers imports nothing of assets."""

from __future__ import annotations

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from core.history import HistorySource
from customers.history import register_history_source
from customers.overview import OverviewSection, breakdown, register_overview_section
from customers.querysets import CountColumn, register_count_column
from locations.models import Location

from .models import Asset, AssetCategory, AssetStatus


def live_assets():
    return Asset.objects.filter(is_archived=False)


def assets_overview(customer_ids: list[int]) -> dict:
    """Live assets at the customers' sites and owned by them, by category and status, with
    how many at their sites are others' and how many of theirs are elsewhere (three grouped
    queries)."""
    categories, statuses = dict(AssetCategory.choices), dict(AssetStatus.choices)
    on_location = breakdown(
        live_assets()
        .filter(location__customer_id__in=customer_ids)
        .values_list("category", "status")
        .annotate(count=Count("pk"))
        .order_by(),
        categories,
        statuses,
    )
    owned_rows = list(
        live_assets()
        .filter(owner_id__in=customer_ids)
        .annotate(
            away=ExpressionWrapper(
                Q(location__isnull=True) | ~Q(location__customer_id__in=customer_ids),
                output_field=BooleanField(),
            )
        )
        .values_list("category", "status", "away")
        .annotate(count=Count("pk"))
        .order_by()
    )
    owned = breakdown([(c, s, n) for c, s, _, n in owned_rows], categories, statuses)
    owned.extra = sum(n for _, _, away, n in owned_rows if away)
    on_location.extra = (
        live_assets()
        .filter(location__customer_id__in=customer_ids)
        .exclude(owner_id__in=customer_ids)
        .count()
    )
    return {"assets_on_location": on_location, "assets_owned": owned}


def assets_on_location_count(customer_ids: list[int]):
    return (
        live_assets()
        .filter(location__customer_id__in=customer_ids)
        .values_list("location__customer_id")
        .annotate(n=Count("pk"))
    )


def assets_owned_count(customer_ids: list[int]):
    return (
        live_assets()
        .filter(owner_id__in=customer_ids)
        .values_list("owner_id")
        .annotate(n=Count("pk"))
    )


def assets_history(customer) -> HistorySource:
    """Assets the customer owns, or that sat at one of its locations (even a removed one)."""
    location_ids = Location.history.filter(customer_id=customer.pk).values("id")
    return HistorySource(
        "Asset",
        Asset,
        Asset.history.filter(Q(owner_id=customer.pk) | Q(location_id__in=location_ids)),
    )


def register() -> None:
    register_overview_section(
        OverviewSection(
            "assets",
            assets_overview,
            template="assets/_customer_overview.html",
            details_template="assets/_customer_overview_details.html",
            has_details=lambda figures: bool(
                figures["assets_on_location"].total or figures["assets_owned"].total
            ),
            order=20,
        )
    )
    register_count_column(
        CountColumn("assets_on_location_count", "Assets on location", assets_on_location_count)
    )
    register_count_column(CountColumn("assets_owned_count", "Assets owned", assets_owned_count))
    register_history_source(assets_history)
