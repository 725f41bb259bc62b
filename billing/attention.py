"""The dashboard's "needs attention" panel: what someone should act on, each with a link to
the list that shows exactly those records. Billing adds overdue invoices, suspended companies
and drafts waiting to be issued; apps above billing (webhooks) add theirs with
register_attention_source() from their AppConfig.ready(), so billing imports none of them.

Every source costs a fixed number of queries (an aggregate), whatever the tenant's size, and
reads only what the asker's scope reaches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Count, F, Sum
from django.urls import reverse

from core.policies import Capability

from .charts import formatted
from .models import Invoice, InvoiceStatus

if TYPE_CHECKING:
    from core.scope import Scope


@dataclass(frozen=True)
class AttentionItem:
    key: str
    count: int
    label: str  # "3 overdue invoices"
    url: str
    details: list[str] = field(default_factory=list)  # e.g. one total per currency
    icon: str = "exclamation-triangle"
    tone: str = "warning"  # a Bootstrap colour


AttentionSource = Callable[["Scope", str], list[AttentionItem]]
_sources: list[AttentionSource] = []


def register_attention_source(source: AttentionSource) -> None:
    if source not in _sources:
        _sources.append(source)


def counted(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def listed(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def overdue_invoices(scope: Scope, style: str) -> list[AttentionItem]:
    """Invoices marked overdue: how many, and what they still owe per currency (one query on
    the partial index of open invoices)."""
    rows = list(
        Invoice.objects.restrict(scope)
        .filter(status=InvoiceStatus.OVERDUE)
        .values("currency")
        .annotate(n=Count("pk"), due=Sum(F("total") - F("amount_paid")))
        .order_by("currency")
    )
    count = sum(row["n"] for row in rows)
    if not count:
        return []
    return [
        AttentionItem(
            "overdue_invoices",
            count,
            counted(count, "overdue invoice", "overdue invoices"),
            listed("billing:invoice_list", status=InvoiceStatus.OVERDUE),
            [
                f"{formatted(row['due'] or Decimal(0), 'money', style)} {row['currency']}"
                for row in rows
            ],
            icon="hourglass-bottom",
            tone="danger",
        )
    ]


def draft_invoices(scope: Scope, style: str) -> list[AttentionItem]:
    """Drafts an invoice run left for review, waiting to be issued (for those who bill)."""
    if not scope.can(Capability.MANAGE_BILLING):
        return []
    rows = list(
        Invoice.objects.restrict(scope)
        .filter(status=InvoiceStatus.DRAFT)
        .values("currency")
        .annotate(n=Count("pk"), total=Sum("total"))
        .order_by("currency")
    )
    count = sum(row["n"] for row in rows)
    if not count:
        return []
    return [
        AttentionItem(
            "draft_invoices",
            count,
            counted(count, "draft invoice to issue", "draft invoices to issue"),
            listed("billing:invoice_list", status=InvoiceStatus.DRAFT),
            [
                f"{formatted(row['total'] or Decimal(0), 'money', style)} {row['currency']}"
                for row in rows
            ],
            icon="file-earmark-text",
            tone="info",
        )
    ]


def suspended_companies(scope: Scope, style: str) -> list[AttentionItem]:
    """Companies whose account is suspended (for non-payment or by hand)."""
    from customers.models import Customer, PortalAccess

    count = Customer.objects.restrict(scope).filter(portal_access=PortalAccess.SUSPENDED).count()
    if not count:
        return []
    return [
        AttentionItem(
            "suspended_companies",
            count,
            counted(count, "suspended company", "suspended companies"),
            listed("customers:customer_list", account_status=PortalAccess.SUSPENDED),
            icon="pause-circle",
        )
    ]


BILLING_SOURCES: list[AttentionSource] = [overdue_invoices, suspended_companies, draft_invoices]


def needs_attention(scope: Scope, style: str = "en") -> list[AttentionItem]:
    """Every source's items for this scope, billing's first."""
    items: list[AttentionItem] = []
    for source in [*BILLING_SOURCES, *_sources]:
        items.extend(source(scope, style))
    return items
