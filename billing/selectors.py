"""Reads that billing's services and views share: no writes here. Each function owns its
eager loading and does its work in a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Sum, When

from . import money
from .models import (
    LIVE_SUBSCRIPTION,
    BillingProfile,
    Invoice,
    InvoiceStatus,
    Payment,
    Subscription,
)

# --- Subscriptions -------------------------------------------------------------------------


def seat_limit(customer_id: int) -> int | None:
    """How many active users a company may have: its subscription's seats (None: no limit)."""
    return (
        Subscription.objects.filter(customer_id=customer_id, status__in=LIVE_SUBSCRIPTION)
        .values_list("seats", flat=True)
        .first()
    )


def customer_subscription(customer) -> Subscription | None:
    """The subscription a customer's billing page shows: its live one, else its latest."""
    return (
        Subscription.objects.filter(customer=customer)
        .select_related("plan")
        .order_by(Case(When(status="cancelled", then=1), default=0), "-start_date")
        .first()
    )


# --- Invoices --------------------------------------------------------------------------------


def payer_id(customer) -> int:
    """Who is invoiced for ``customer``'s charges: its parent when the parent bills its
    sub-accounts on its own invoice, else the customer itself."""
    parent_id = customer.parent_id
    if (
        parent_id
        and BillingProfile.objects.filter(customer_id=parent_id, consolidated_billing=True).exists()
    ):
        return parent_id
    return customer.pk


def billed_until(customer_id: int) -> date | None:
    """The last day a (non-void) invoice of the customer covers."""
    return (
        Invoice.objects.filter(customer_id=customer_id)
        .exclude(status=InvoiceStatus.VOID)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )


def tenant_currency() -> str:
    from tenants.models import Tenant

    currency = (
        Tenant.objects.filter(schema_name=connection.schema_name)
        .values_list("currency", flat=True)
        .first()
    )
    return currency or "USD"


# --- Resellers' commission --------------------------------------------------------------------


def _paid_in(period: money.Period, per: str, **filters: Any) -> dict[int, Decimal]:
    """Payments received in the period, summed per ``per`` (a path from Payment)."""
    return dict(
        Payment.objects.filter(paid_on__gte=period.start, paid_on__lte=period.end, **filters)
        .values(per)
        .annotate(total=Sum("amount"))
        .values_list(per, "total")
    )


def _commission(paid: Decimal | None, rate: Decimal) -> dict:
    paid = paid if paid is not None else Decimal("0.00")
    return {"paid": paid, "rate": rate, "commission": money.percent_of(paid, rate)}


def commission_rows(reseller, period: money.Period) -> list[dict]:
    """Each client of a reseller with what it paid in the period and the commission due."""
    from customers.models import Customer

    profile = BillingProfile.objects.filter(customer=reseller).first()
    rate = profile.commission_rate if profile else Decimal(0)
    paid = _paid_in(period, "invoice__customer_id", invoice__customer__parent=reseller)
    clients = Customer.objects.filter(parent=reseller).order_by("name").only("id", "name")
    return [{"customer": client, **_commission(paid.get(client.pk), rate)} for client in clients]


def commission_summary(resellers, period: money.Period) -> list[dict]:
    """Every reseller with its number of clients, what they paid in the period and the
    commission due: three queries however many resellers there are."""
    from customers.models import Customer

    resellers = list(resellers.select_related("billing_profile").order_by("name"))
    ids = [reseller.pk for reseller in resellers]
    clients = dict(
        Customer.objects.filter(parent_id__in=ids)
        .values("parent_id")
        .annotate(count=Count("pk"))
        .values_list("parent_id", "count")
    )
    paid = _paid_in(period, "invoice__customer__parent_id", invoice__customer__parent_id__in=ids)
    return [
        {
            "reseller": reseller,
            "clients": clients.get(reseller.pk, 0),
            **_commission(paid.get(reseller.pk), reseller.billing_profile.commission_rate),
        }
        for reseller in resellers
    ]
