"""Failed webhook deliveries on the dashboard's "needs attention" panel (registered with
billing.attention by WebhooksConfig.ready): one item per endpoint with failures in the last
7 days, linking to its delivery log filtered to the failures. For the owner (webhooks are
the workspace's settings). One query."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from billing.attention import AttentionItem, counted
from core.policies import Capability

from .models import WebhookDelivery

FAILED_WITHIN = timedelta(days=7)
MOST_ENDPOINTS = 5


def failed_deliveries(scope, style: str) -> list[AttentionItem]:
    if not scope.is_staff or scope.is_limited or not scope.can(Capability.MANAGE_TENANT):
        return []
    rows = (
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.FAILED,
            created_at__gte=timezone.now() - FAILED_WITHIN,
        )
        .values("endpoint_id", "endpoint__url", "endpoint__description")
        .annotate(n=Count("pk"))
        .order_by("-n", "endpoint_id")[:MOST_ENDPOINTS]
    )
    return [
        AttentionItem(
            f"failed_webhooks_{row['endpoint_id']}",
            row["n"],
            counted(row["n"], "failed webhook delivery", "failed webhook deliveries")
            + f" to {row['endpoint__description'] or row['endpoint__url']} (7 days)",
            reverse("webhooks:endpoint_detail", args=[row["endpoint_id"]]) + "?status=failed",
            icon="plug",
            tone="danger",
        )
        for row in rows
    ]
