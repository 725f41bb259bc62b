"""Reads that billing's services and views share: no writes here. Each function owns its
eager loading and does its work in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Sum, When

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
# What a client's commission is computed on, the tenant's choice (BillingSettings.
# commission_basis); services.commissions makes the monthly statements from it, and the
# console's "this month so far" report shows it live.
#
# - usage: the usage lines of the invoices issued for the month (their period starts in it;
#   not draft, not void), on the client's own invoices and, on its reseller's consolidated
#   invoices, the lines of that client (InvoiceLine.sub_account);
# - payments: payments received in the month on the client's own invoices and, on its
#   reseller's consolidated invoices, the client's share of each payment (the share its lines
#   have in the invoice's lines, rounded to cents).

NOT_BILLED = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)
ZERO = Decimal("0.00")


def month_period(month: date) -> money.Period:
    start = month.replace(day=1)
    return money.Period(start, date.fromordinal(money.add_months(start, 1).toordinal() - 1))


def _usage_bases(clients: dict[int, int], period: money.Period) -> dict[tuple, Decimal]:
    """(client, currency) → usage charges on the invoices of the period: one query."""
    from django.db.models.functions import Coalesce

    from .models import InvoiceLine, LineKind

    rows = (
        InvoiceLine.objects.filter(
            kind=LineKind.USAGE,
            invoice__period_start__gte=period.start,
            invoice__period_start__lte=period.end,
        )
        .exclude(invoice__status__in=NOT_BILLED)
        .annotate(who=Coalesce("sub_account_id", "invoice__customer_id"))
        .filter(who__in=list(clients))
        .values("who", "invoice__currency")
        .annotate(total=Sum("amount"))
        .values_list("who", "invoice__currency", "total")
    )
    return {(who, currency): total for who, currency, total in rows}


def _payment_bases(
    clients: dict[int, int], resellers: list[int], period: money.Period
) -> dict[tuple, Decimal]:
    """(client, currency) → payments received in the period: a client's own invoices count
    whole; a reseller's consolidated invoice counts for each client by its lines' share.
    Two queries."""
    from collections import defaultdict

    from .models import InvoiceLine

    bases: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    payments = list(
        Payment.objects.filter(
            paid_on__gte=period.start,
            paid_on__lte=period.end,
            invoice__customer_id__in=[*clients, *resellers],
        ).values_list("invoice_id", "invoice__customer_id", "invoice__currency", "amount")
    )
    consolidated = {invoice for invoice, customer, _c, _a in payments if customer not in clients}
    shares: dict[int, dict[int, Decimal]] = defaultdict(dict)
    invoice_lines: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if consolidated:
        for invoice, who, total in (
            InvoiceLine.objects.filter(invoice_id__in=sorted(consolidated))
            .values("invoice_id", "sub_account_id")
            .annotate(total=Sum("amount"))
            .values_list("invoice_id", "sub_account_id", "total")
        ):
            invoice_lines[invoice] += total
            if who in clients:
                shares[invoice][who] = total
    for invoice, customer, currency, paid in payments:
        if customer in clients:
            bases[(customer, currency)] += paid
            continue
        whole = invoice_lines.get(invoice, ZERO)
        if whole <= 0:
            continue
        for client, part in shares[invoice].items():
            bases[(client, currency)] += money.to_money(paid * part / whole)
    return dict(bases)


@dataclass
class CommissionDraft:
    """One reseller's commission in one currency, computed and not saved: its client lines
    as (client id, client name, base, commission)."""

    reseller_id: int
    currency: str
    rate: Decimal
    lines: list[tuple[int, str, Decimal, Decimal]] = field(default_factory=list)

    @property
    def base_total(self) -> Decimal:
        return money.total(line[2] for line in self.lines)

    @property
    def total(self) -> Decimal:
        return money.total(line[3] for line in self.lines)


def compute_commissions(month: date, basis: str, *, reseller_ids=None) -> list[CommissionDraft]:
    """Every reseller's commission for the month (or those of ``reseller_ids``): one draft per
    currency its clients were charged (or paid) in, and always one in the tenant's currency
    listing every client. A fixed number of queries whatever the number of resellers."""
    from collections import defaultdict

    from customers.models import Customer

    from .models_commission import CommissionBasis

    period = month_period(month)
    profiles = BillingProfile.objects.filter(
        is_reseller=True, customer__deleted_at__isnull=True
    ).values_list("customer_id", "commission_rate")
    if reseller_ids is not None:
        profiles = profiles.filter(customer_id__in=list(reseller_ids))
    rates = dict(profiles)
    if not rates:
        return []
    client_rows = list(
        Customer._base_manager.filter(parent_id__in=list(rates))
        .order_by("name", "pk")
        .values_list("pk", "name", "parent_id")
    )
    clients = {pk: parent for pk, _name, parent in client_rows}
    if basis == CommissionBasis.USAGE:
        bases = _usage_bases(clients, period)
    else:
        bases = _payment_bases(clients, list(rates), period)
    home = tenant_currency()
    currencies: dict[int, set[str]] = defaultdict(lambda: {home})
    for client, currency in bases:
        currencies[clients[client]].add(currency)
    drafts = []
    for reseller, rate in sorted(rates.items()):
        for currency in sorted(currencies[reseller], key=lambda c: (c != home, c)):
            draft = CommissionDraft(reseller, currency, rate)
            for pk, name, parent in client_rows:
                if parent != reseller:
                    continue
                base = bases.get((pk, currency))
                if base is None and currency != home:
                    continue
                base = money.to_money(base or ZERO)
                draft.lines.append((pk, name, base, money.percent_of(base, rate)))
            drafts.append(draft)
    return drafts


def _labelled(name: str, currency: str, home: str) -> str:
    return name if currency == home else f"{name} ({currency})"


def commission_rows(reseller, period: money.Period) -> list[dict]:
    """Each client of a reseller with its base in the period (on the tenant's basis) and the
    commission due; a client's amounts in another currency are a row of their own. The
    client is a Customer with its id and name only (no query per row)."""
    from customers.models import Customer

    from .models import BillingSettings

    basis = BillingSettings.current().commission_basis
    home = tenant_currency()
    return [
        {
            "customer": Customer(pk=pk, name=_labelled(name, draft.currency, home)),
            "paid": base,
            "rate": draft.rate,
            "commission": commission,
        }
        for draft in compute_commissions(period.start, basis, reseller_ids=[reseller.pk])
        for pk, name, base, commission in draft.lines
    ]


def commission_summary(resellers, period: money.Period) -> list[dict]:
    """Every reseller with its number of clients, their base in the period (on the tenant's
    basis) and the commission due (a row per other currency): a fixed number of queries."""
    from customers.models import Customer

    from .models import BillingSettings

    resellers = list(resellers.order_by("name"))
    basis = BillingSettings.current().commission_basis
    home = tenant_currency()
    drafts: dict[int, list[CommissionDraft]] = {}
    for draft in compute_commissions(
        period.start, basis, reseller_ids=[reseller.pk for reseller in resellers]
    ):
        drafts.setdefault(draft.reseller_id, []).append(draft)
    return [
        {
            "reseller": reseller
            if draft.currency == home
            else Customer(pk=reseller.pk, name=_labelled(reseller.name, draft.currency, home)),
            "clients": len(draft.lines),
            "paid": draft.base_total,
            "rate": draft.rate,
            "commission": draft.total,
        }
        for reseller in resellers
        for draft in drafts.get(reseller.pk, [])
    ]


# --- A reseller's clients (the portal's Clients page) -------------------------------------------

CLIENT_USAGE_METRICS = ("operations", "storage-gb", "bandwidth-gb")


def reseller_client_figures(client_ids: list[int], today: date) -> dict[str, Any]:
    """Per client: MRR (live subscriptions' plan and seats, active projects' monthly fees),
    the amount overdue on its own invoices, its seat limit, and this calendar month's usage of
    operations, storage and bandwidth. Five queries whatever the number of clients."""
    from django.db.models import F, Q

    from .models import Metric, Project, UsageRecord
    from .querysets import status_conditions

    ids = sorted(client_ids)
    zero = Decimal("0.00")
    figures: dict[int, dict[str, Any]] = {
        pk: {"mrr": zero, "overdue": zero, "seats": None, "usage": {}} for pk in ids
    }
    for customer_id, seats, price, status in (
        Subscription.objects.filter(customer_id__in=ids, status__in=LIVE_SUBSCRIPTION)
        .annotate(price=F("plan__monthly_fee") + F("plan__seat_fee") * F("seats"))
        .values_list("customer_id", "seats", "price", "status")
    ):
        figures[customer_id]["seats"] = seats
        if status in ("active", "past_due"):  # as figures.mrr: trials bring nothing yet
            figures[customer_id]["mrr"] += price
    for customer_id, fees in (
        Project.objects.filter(status_conditions(today)["active"], customer_id__in=ids)
        .values("customer_id")
        .annotate(fees=Sum("monthly_fee"))
        .values_list("customer_id", "fees")
    ):
        figures[customer_id]["mrr"] += fees
    overdue = Q(status=InvoiceStatus.OVERDUE) | Q(
        status__in=["issued", "partially_paid"], due_date__lt=today
    )
    for customer_id, amount in (
        Invoice.objects.filter(overdue, customer_id__in=ids)
        .values("customer_id")
        .annotate(amount=Sum(F("total") - F("amount_paid")))
        .values_list("customer_id", "amount")
    ):
        figures[customer_id]["overdue"] = amount
    metrics = {metric.pk: metric for metric in Metric.objects.filter(code__in=CLIENT_USAGE_METRICS)}
    for customer_id, metric_id, quantity in (
        UsageRecord.objects.filter(
            customer_id__in=ids, metric_id__in=list(metrics), day__gte=today.replace(day=1)
        )
        .filter(day__lte=today)
        .values("customer_id", "metric_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("customer_id", "metric_id", "quantity")
    ):
        figures[customer_id]["usage"][metrics[metric_id].code] = quantity
    ordered = sorted(metrics.values(), key=lambda m: CLIENT_USAGE_METRICS.index(m.code))
    return {"clients": figures, "metrics": ordered}
