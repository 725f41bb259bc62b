"""The dashboard's "needs attention" panel: what someone should act on, each with a link to
the list that shows exactly those records. Billing adds overdue invoices, suspended companies
and drafts waiting to be issued; apps above billing (webhooks) add theirs with
register_attention_source() from their AppConfig.ready(), so billing imports none of them.

Every source costs a fixed number of queries (an aggregate), whatever the tenant's size, and
reads only what the asker's scope reaches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Count, F, Sum
from django.urls import reverse

from core.formats import DEFAULT_LOCALE, count_text, money_text
from core.policies import Capability

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


# Called with the asker's scope and the active locale's code (core.formats; figures written
# with core.formats follow it already).
AttentionSource = Callable[["Scope", str], list[AttentionItem]]
_sources: list[AttentionSource] = []


def register_attention_source(source: AttentionSource) -> None:
    if source not in _sources:
        _sources.append(source)


def counted(count: int, singular: str, plural: str) -> str:
    return f"{count_text(count)} {singular if count == 1 else plural}"


def listed(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def invoices(scope: Scope, style: str) -> list[AttentionItem]:
    """Invoices marked overdue, and (for those who bill) drafts an invoice run left for
    review: how many, and their amounts per currency. One query (the overdue part reads the
    partial index of open invoices)."""
    statuses = [InvoiceStatus.OVERDUE]
    if scope.can(Capability.MANAGE_BILLING):
        statuses.append(InvoiceStatus.DRAFT)
    rows = (
        Invoice.objects.restrict(scope)
        .filter(status__in=statuses)
        .values("status", "currency")
        .annotate(n=Count("pk"), due=Sum(F("total") - F("amount_paid")))
        .order_by("status", "currency")
    )
    by_status = defaultdict(list)
    for row in rows:
        by_status[row["status"]].append(row)
    found = []
    for status, key, singular, plural, icon, tone in (
        (InvoiceStatus.OVERDUE, "overdue_invoices", "overdue invoice", "overdue invoices",
         "hourglass-bottom", "danger"),
        (InvoiceStatus.DRAFT, "draft_invoices", "draft invoice to issue",
         "draft invoices to issue", "file-earmark-text", "info"),
    ):  # fmt: skip
        if not by_status[status]:
            continue
        count = sum(row["n"] for row in by_status[status])
        found.append(
            AttentionItem(
                key,
                count,
                counted(count, singular, plural),
                listed("billing:invoice_list", status=status),
                [
                    money_text(row["due"] or Decimal(0), row["currency"])
                    for row in by_status[status]
                ],
                icon=icon,
                tone=tone,
            )
        )
    return found


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


BILLING_SOURCES: list[AttentionSource] = [invoices, suspended_companies]


def needs_attention(scope: Scope, style: str = DEFAULT_LOCALE) -> list[AttentionItem]:
    """Every source's items for this scope, billing's first."""
    items: list[AttentionItem] = []
    for source in [*BILLING_SOURCES, *_sources]:
        items.extend(source(scope, style))
    return items
