"""Feature adoption (seed 002): which parts of the portal each company's users use. Every
portal page a customer user opens counts one use of its section (the page's ``section``),
kept as one row per company, user, feature and day (an upsert, so a busy user adds no rows),
and summed by the analytics pages (registered with billing's analytics sections)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from .models import PortalUsage

logger = logging.getLogger(__name__)

FEATURES = {
    "overview": "Overview",
    "users": "Users",
    "locations": "Locations",
    "assets": "Assets",
    "billing": "Billing and invoices",
    "documents": "Documents",
    "tickets": "Support tickets",
    "activity": "Shared activity",
    "settings": "Company settings",
    "api_tokens": "API tokens",
    "reseller_clients": "Reseller: clients",
    "reseller_commissions": "Reseller: commissions",
}


def record_use(*, company_id: int, user_id: int, feature: str, day: date | None = None) -> None:
    """One use of ``feature`` by the user for the company today (one statement). A failure
    is logged and never breaks the page (its own savepoint)."""
    if feature not in FEATURES:
        return
    day = day or timezone.localdate()
    table = PortalUsage._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (customer_id, user_id, feature, day, uses)
                VALUES (%s, %s, %s, %s, 1)
                ON CONFLICT (customer_id, user_id, feature, day)
                DO UPDATE SET uses = {table}.uses + 1
                """,
                [company_id, user_id, feature, day],
            )
    except DatabaseError:
        logger.warning("Portal usage not recorded", exc_info=True)


def adoption_figures(customer_ids: Collection[int] | None, span, per_customer: bool) -> dict:
    """Per feature: how many companies and users used it in the range, and how often; on a
    customer's tab also when it was last used. Two aggregate queries."""
    usage = PortalUsage.objects.filter(day__gte=span.first, day__lt=span.end)
    if customer_ids is not None:
        usage = usage.filter(customer_id__in=sorted(customer_ids))
    rows = {
        row["feature"]: row
        for row in usage.values("feature").annotate(
            companies=Count("customer_id", distinct=True),
            users=Count("user_id", distinct=True),
            uses=Sum("uses"),
            last=Max("day"),
        )
    }
    active = usage.aggregate(
        companies=Count("customer_id", distinct=True), users=Count("user_id", distinct=True)
    )
    features = []
    for key, label in FEATURES.items():
        row = rows.get(key)
        companies = row["companies"] if row else 0
        features.append(
            {
                "key": key,
                "label": label,
                "companies": companies,
                "users": row["users"] if row else 0,
                "uses": row["uses"] if row else 0,
                "last": row["last"] if row else None,
                "share": round(100 * companies / active["companies"]) if active["companies"] else 0,
                "user_share": round(100 * (row["users"] if row else 0) / active["users"])
                if active["users"]
                else 0,
            }
        )
    used = [f for f in features if f["uses"]]
    unused = [f["label"] for f in features if not f["uses"]]
    return {
        "active": active,
        "features": sorted(used, key=lambda f: (-f["companies"], -f["uses"])),
        "unused": unused,
        "per_customer": per_customer,
    }
