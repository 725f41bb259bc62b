"""What the service desk adds to the analytics pages (registered with billing's analytics
sections by TicketsConfig.ready): tickets opened, still open, average first response and
resolution time, and satisfaction (CSAT: the share of ratings that are "good") — overall,
per customer and per staff member on the tenant's page, for the customer on its tab. A
fixed number of aggregate queries whatever the number of tickets."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from core.formats import percent_text

from .models import Ticket
from .querysets import OPEN_STATUSES

TOP = 10


def _moment(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def csat(good: int, rated: int) -> str:
    return percent_text(round(100 * good / rated)) if rated else "—"


def support_figures(customer_ids: Collection[int] | None, span, per_customer: bool) -> dict:
    tickets = Ticket.objects.filter(merged_into__isnull=True)
    if customer_ids is not None:
        tickets = tickets.filter(customer_id__in=sorted(customer_ids))
    start, end = _moment(span.first), _moment(span.end)
    opened = Q(created_at__gte=start, created_at__lt=end)
    rated = Q(rated_at__gte=start, rated_at__lt=end)
    totals = tickets.aggregate(
        opened=Count("pk", filter=opened),
        open_now=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        first_response=Avg(F("first_response_at") - F("created_at"), filter=opened),
        resolution=Avg(F("resolved_at") - F("created_at"), filter=opened),
        rated=Count("pk", filter=rated),
        good=Count("pk", filter=rated & Q(rating="good")),
        okay=Count("pk", filter=rated & Q(rating="okay")),
        bad=Count("pk", filter=rated & Q(rating="bad")),
    )
    totals["csat"] = csat(totals["good"], totals["rated"])
    figures = {"totals": totals, "per_customer": [], "per_staff": []}
    if not per_customer:
        return figures
    by_customer = list(
        tickets.filter(opened | rated)
        .values("customer_id", "customer__name")
        .annotate(
            opened=Count("pk", filter=opened),
            first_response=Avg(F("first_response_at") - F("created_at"), filter=opened),
            rated=Count("pk", filter=rated),
            good=Count("pk", filter=rated & Q(rating="good")),
        )
        .order_by("-opened", "customer__name")[:TOP]
    )
    by_staff = list(
        tickets.filter(rated, assignee__isnull=False)
        .values("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__email")
        .annotate(
            rated=Count("pk"),
            good=Count("pk", filter=Q(rating="good")),
            bad=Count("pk", filter=Q(rating="bad")),
        )
        .order_by("-rated", "assignee__first_name")[:TOP]
    )
    for row in by_customer + by_staff:
        row["csat"] = csat(row["good"], row["rated"])
    for row in by_staff:
        name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
        row["name"] = name or row["assignee__email"]
    figures.update(per_customer=by_customer, per_staff=by_staff)
    return figures
