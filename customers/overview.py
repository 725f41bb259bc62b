"""The customer page's overview: value, projects, assets and sites, optionally rolled up over
sub-accounts. A handful of aggregate queries, whatever the customer's size."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum
from django.utils import timezone

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


def _breakdown(rows, first_labels: dict, second_labels: dict) -> Breakdown:
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


def customer_overview(customer_ids: list[int]) -> dict:
    from assets.models import Asset, AssetCategory, AssetStatus
    from billing.models import Project
    from billing.querysets import status_conditions
    from locations.models import Location, LocationStatus, LocationType

    today = timezone.localdate()
    conditions = status_conditions(today)
    projects = Project.objects.filter(customer_id__in=customer_ids).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
        active_value=Sum("contract_value", filter=conditions["active"]),
        active_monthly=Sum("monthly_fee", filter=conditions["active"]),
    )
    live_assets = Asset.objects.filter(is_archived=False)
    on_location = _breakdown(
        live_assets.filter(location__customer_id__in=customer_ids)
        .values_list("category", "status")
        .annotate(count=Count("pk"))
        .order_by(),
        dict(AssetCategory.choices),
        dict(AssetStatus.choices),
    )
    owned_rows = (
        live_assets.filter(owner_id__in=customer_ids)
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
    owned_rows = list(owned_rows)
    owned = _breakdown(
        [(c, s, n) for c, s, _, n in owned_rows],
        dict(AssetCategory.choices),
        dict(AssetStatus.choices),
    )
    owned.extra = sum(n for _, _, away, n in owned_rows if away)
    on_location.extra = (
        live_assets.filter(location__customer_id__in=customer_ids)
        .exclude(owner_id__in=customer_ids)
        .count()
    )
    sites = _breakdown(
        Location.objects.filter(customer_id__in=customer_ids, is_archived=False)
        .values_list("location_type", "status")
        .annotate(count=Count("pk"))
        .order_by(),
        dict(LocationType.choices),
        dict(LocationStatus.choices),
    )
    return {
        "projects": projects,
        "value": projects["active_value"] or Decimal("0"),
        "monthly": projects["active_monthly"] or Decimal("0"),
        "assets_on_location": on_location,
        "assets_owned": owned,
        "sites": sites,
    }
