"""Billing figures and the dashboard's series. Every figure is an aggregate computed in SQL,
a fixed number of queries whatever the tenant's size.

Tenant-wide figures take the asker's scope: for a staff user limited to assigned customers
they cover those customers only (the same queries, each bounded by ``customer_id IN``);
for everyone else (``reach`` is ``None``) they are today's tenant-wide queries unchanged."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from core.formats import percent_text

from . import money
from .charts import PARTIAL_WEEK, chart_entry, series_chart, share_chart
from .company_users import company_users
from .models import (
    OPEN_INVOICE,
    Invoice,
    InvoiceStatus,
    Metric,
    MonthlyCollections,
    Payment,
    PlanTier,
    Project,
    Subscription,
    UsageRecord,
)
from .pricing import usage_charges
from .querysets import status_conditions

if TYPE_CHECKING:
    from core.scope import Scope

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
RANGE_CHOICES = (6, 12, 24)


def _sum(expression, **filter_kwargs):
    return Coalesce(Sum(expression, filter=Q(**filter_kwargs) or None), ZERO)


def reach(scope: Scope | None) -> frozenset[int] | None:
    """The customers a scope's figures cover: ``None`` for the whole tenant (unlimited staff,
    or no scope given: internal callers), else the ids (empty for someone who sees nothing)."""
    return None if scope is None else scope.reachable_customer_ids


def _of(queryset, customers: Collection[int] | None, path: str = "customer_id"):
    """``queryset`` bounded to ``customers`` (untouched when that is ``None``)."""
    if customers is None:
        return queryset
    return queryset.filter(**{f"{path}__in": sorted(customers)})


def mrr(customer_id: int | None = None, *, customers: Collection[int] | None = None) -> Decimal:
    """Monthly recurring revenue today: plan fee plus seats of every live subscription, and
    the monthly fee of every active project (both are billed each month); of one customer, of
    ``customers``, or of the tenant."""
    subscriptions = _of(Subscription.objects.all(), customers)
    projects = _of(Project.objects.all(), customers)
    if customer_id is not None:
        subscriptions = subscriptions.filter(customer_id=customer_id)
        projects = projects.filter(customer_id=customer_id)
    plans = subscriptions.filter(status__in=["active", "past_due"]).aggregate(
        total=Coalesce(Sum(F("plan__monthly_fee") + F("plan__seat_fee") * F("seats")), ZERO)
    )["total"]
    fees = projects.filter(status_conditions(timezone.localdate())["active"]).aggregate(
        total=_sum("monthly_fee")
    )["total"]
    return plans + fees


def invoice_totals(invoices, *, with_paid: bool = True) -> dict[str, Decimal]:
    """Outstanding and overdue balances (and, unless ``with_paid`` is off, everything paid).
    The open-balance part reads only the partial index of open invoices."""
    today = timezone.localdate()
    totals = invoices.filter(status__in=OPEN_INVOICE).aggregate(
        outstanding=Coalesce(
            Sum(F("total") - F("amount_paid"), filter=Q(status__in=OPEN_INVOICE)), ZERO
        ),
        overdue=Coalesce(
            Sum(
                F("total") - F("amount_paid"),
                filter=Q(status=InvoiceStatus.OVERDUE)
                | Q(status__in=OPEN_INVOICE, due_date__lt=today),
            ),
            ZERO,
        ),
        overdue_count=Count("status", filter=Q(status=InvoiceStatus.OVERDUE)),
    )
    if with_paid:
        # What the customer paid: payments received (an overpayment whole), not what settled
        # the invoices (amount_paid also counts credit notes and credit applied).
        totals["paid"] = Payment.objects.filter(invoice__in=invoices.values("pk")).aggregate(
            paid=_sum("amount")
        )["paid"]
    return totals


def tenant_figures(scope: Scope | None = None) -> dict:
    """MRR, ARR and open balances of the tenant, or of the customers a limited scope reaches."""
    customers = reach(scope)
    monthly = mrr(customers=customers)
    return {
        "mrr": monthly,
        "arr": monthly * 12,
        **invoice_totals(_of(Invoice.objects.all(), customers), with_paid=False),
    }


def customer_figures(customer_id: int) -> dict:
    monthly = mrr(customer_id)
    totals = invoice_totals(Invoice.objects.filter(customer_id=customer_id))
    return {"mrr": monthly, "arr": monthly * 12, "lifetime_value": totals["paid"], **totals}


@dataclass
class UsageLine:
    metric: Metric
    quantity: Decimal
    cost: Decimal


def current_period(subscription: Subscription, today: date | None = None) -> money.Period:
    today = today or timezone.localdate()
    month = today.replace(day=1)
    if today.day < subscription.anchor_day:
        month = money.add_months(month, -1)
    return money.period_for(month, subscription.anchor_day)


def current_usage(subscription: Subscription | None) -> list[UsageLine]:
    """Usage of the running period and what it costs so far under the subscription's plan."""
    if subscription is None:
        return []
    period = current_period(subscription)
    sums = dict(
        UsageRecord.objects.filter(
            customer_id=subscription.customer_id, day__gte=period.start, day__lte=period.end
        )
        .values("metric_id")
        .annotate(total=Sum("quantity"))
        .values_list("metric_id", "total")
    )
    tiers = defaultdict(list)
    for tier in PlanTier.objects.filter(plan_id=subscription.plan_id):
        tiers[tier.metric_id].append(money.Tier(tier.up_to, tier.unit_price))
    lines = []
    for metric in Metric.objects.filter(Q(pk__in=sums) | Q(pk__in=tiers)):
        quantity = sums.get(metric.pk, Decimal(0))
        _, cost = usage_charges(quantity, tiers[metric.pk])
        lines.append(UsageLine(metric, quantity, cost))
    return lines


MRR_CHANGES_OF = """
    WITH spans AS (
        SELECT p.monthly_fee + p.seat_fee * t.seats AS price,
               GREATEST(t.effective_from, s.start_date, s.trial_end + 1) AS first_day,
               LEAST(
                   LEAD(t.effective_from) OVER (
                       PARTITION BY t.subscription_id ORDER BY t.effective_from
                   ) - 1,
                   s.cancelled_on
               ) AS last_day
        FROM billing_subscriptionterm t
        JOIN billing_subscription s ON s.id = t.subscription_id
        JOIN billing_plan p ON p.id = t.plan_id
        {subscriptions}
        UNION ALL
        SELECT monthly_fee, start_date, end_date FROM billing_project
        WHERE NOT is_cancelled AND monthly_fee > 0 {projects}
    ), changes AS (
        SELECT first_day AS day, price FROM spans
        WHERE last_day IS NULL OR last_day >= first_day
        UNION ALL
        SELECT last_day + 1, -price FROM spans
        WHERE last_day IS NOT NULL AND last_day >= first_day
    )
    SELECT GREATEST(date_trunc('month', day)::date, %(first)s::date), SUM(price)
    FROM changes WHERE day <= %(today)s
    GROUP BY 1
"""
MRR_CHANGES = MRR_CHANGES_OF.format(subscriptions="", projects="")
# Bounded to some customers (a limited scope's).
MRR_CHANGES_OF_CUSTOMERS = MRR_CHANGES_OF.format(
    subscriptions="WHERE s.customer_id = ANY(%(customers)s)",
    projects="AND customer_id = ANY(%(customers)s)",
)


def mrr_by_month(
    first: date, last: date, *, customers: Collection[int] | None = None
) -> list[tuple[date, Decimal]]:
    """MRR as it stood at the end of each month (today for the current one). Each term of a
    subscription, and each project with a monthly fee, adds its price on its first billable
    day and takes it away after its last; one pass sums those changes per month, and a
    running total gives MRR. Cancelled projects count for none of their months. Of the
    tenant, or of ``customers``."""
    params = {"first": first, "today": timezone.localdate()}
    sql = MRR_CHANGES
    if customers is not None:
        sql, params["customers"] = MRR_CHANGES_OF_CUSTOMERS, sorted(customers)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        changes = dict(cursor.fetchall())
    running, result = Decimal(0), []
    month = first
    while month <= last:
        running += changes.get(month, Decimal(0))
        result.append((month, running))
        month = money.add_months(month, 1)
    return result


def month_starts(months: int, today: date | None = None) -> list[date]:
    first = (today or timezone.localdate()).replace(day=1)
    return [money.add_months(first, -offset) for offset in range(months - 1, -1, -1)]


def _monthly(rows, months: list[date]) -> list:
    by_month = {(row[0].date() if isinstance(row[0], datetime) else row[0]): row[1] for row in rows}
    return [by_month.get(month, 0) or 0 for month in months]


def customer_engagement(customer_id: int, months: int = 6) -> dict:
    """Users, active users, sign-ins per month and usage per month of one company."""
    from accounts.models import SignInEvent

    since = timezone.now() - timedelta(days=30)
    users = company_users().counts(customer_id, active_since=since)
    starts = month_starts(months)
    begin = timezone.make_aware(datetime.combine(starts[0], time.min))
    sign_ins = _monthly(
        SignInEvent.objects.filter(
            succeeded=True,
            created_at__gte=begin,
            user__membership__customer_id=customer_id,
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .values_list("month", "count"),
        starts,
    )
    usage_rows = (
        UsageRecord.objects.filter(customer_id=customer_id, day__gte=starts[0])
        .annotate(month=TruncMonth("day"))
        .values("metric__name", "month")
        .annotate(total=Sum("quantity"))
        .values_list("metric__name", "month", "total")
    )
    usage = defaultdict(list)
    for name, month, total in usage_rows:
        usage[name].append((month, total))
    names = sorted(usage)
    per_metric = [_monthly(usage[name], starts) for name in names]
    return {
        "users": users["total"],
        "active_users": users["active"],
        "usage_names": names,
        "rows": [
            (month.strftime("%b %Y"), sign_ins[index], [values[index] for values in per_metric])
            for index, month in enumerate(starts)
        ],
    }


NEW_CUSTOMERS = """
    SELECT (SELECT count(*) FROM customers_customer
            WHERE deleted_at IS NULL
              AND customer_since >= month.begins AND customer_since < month.ends {customers})
    FROM unnest(%(begins)s::date[], %(ends)s::date[]) WITH ORDINALITY AS month(begins, ends, n)
    ORDER BY month.n
"""


def new_customers_per_month(
    starts: list[date], *, customers: Collection[int] | None = None
) -> list[int]:
    """Live customers who became customers in each month — by their "customer since" date,
    not by when their row was made (an import of long-standing customers is not a month of
    new business) — of the tenant or among ``customers``. One index range count per month
    (customer_live_since): a tenant with 100,000 customers costs ~10 ms, not a scan."""
    params = {
        "begins": starts,
        "ends": [*starts[1:], money.add_months(starts[-1], 1)],
    }
    sql = NEW_CUSTOMERS.format(customers="")
    if customers is not None:
        sql = NEW_CUSTOMERS.format(customers="AND id = ANY(%(customers)s)")
        params["customers"] = sorted(customers)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [count for (count,) in cursor.fetchall()]


def collections_per_month(first: date, customers: Collection[int] | None = None):
    """(month, amount received) rows from ``first``: the tenant's running totals, or for
    ``customers`` the sum of their invoices' payments."""
    if customers is None:
        return MonthlyCollections.objects.filter(month__gte=first).values_list("month", "amount")
    return (
        Payment.objects.filter(invoice__customer_id__in=sorted(customers), paid_on__gte=first)
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(amount=Sum("amount"))
        .values_list("month", "amount")
    )


def sign_ins_in_reach(events, customers: Collection[int] | None):
    """Sign-in events a scope may count: all of them for the whole tenant; for a limited
    scope the staff's and those of the portal users of ``customers`` (not other companies')."""
    if customers is None:
        return events
    from accounts.models import User

    counted = User.objects.filter(~Q(role="") | Q(membership__customer_id__in=sorted(customers)))
    return events.filter(user_id__in=counted.values("pk"))


def dashboard(months: int = 12, scope: Scope | None = None) -> dict:
    """Everything the console dashboard charts, for the last ``months`` months: of the whole
    tenant, or (a limited scope) of the customers it reaches."""
    from accounts.models import SignInEvent
    from customers.models import BusinessType, Customer, CustomerStatus

    customers = reach(scope)
    months = months if months in RANGE_CHOICES else 12
    starts = month_starts(months)
    first = starts[0]
    live = _of(Customer.objects.filter(deleted_at__isnull=True), customers, "pk")
    by_type, by_status = defaultdict(int), defaultdict(int)
    for business_type, status, count in (
        live.values("business_type", "status")
        .annotate(n=Count("*"))
        .values_list("business_type", "status", "n")
    ):
        by_type[business_type] += count
        by_status[status] += count
    new = new_customers_per_month(starts, customers=customers)
    subscriptions = _of(Subscription.objects.all(), customers)
    churned = _monthly(
        subscriptions.filter(status="cancelled", cancelled_on__gte=first)
        .annotate(month=TruncMonth("cancelled_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n"),
        starts,
    )
    # Subscriptions live at the start of the period, and those of them cancelled since.
    counts = subscriptions.filter(start_date__lt=first).aggregate(
        at_start=Count("pk", filter=Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=first)),
        lost=Count("pk", filter=Q(status="cancelled", cancelled_on__gte=first)),
    )
    at_start, lost = counts["at_start"], counts["lost"]
    retention = Decimal(100 * (at_start - lost)) / at_start if at_start else None
    mrr_trend = _monthly(mrr_by_month(first, starts[-1], customers=customers), starts)
    collected = _monthly(collections_per_month(first, customers), starts)
    weeks_back = min(months * 4, 52)
    week_start = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    week_starts = [week_start - timedelta(weeks=n) for n in range(weeks_back - 1, -1, -1)]
    sign_in_rows = {
        row[0].date() if isinstance(row[0], datetime) else row[0]: row[1]
        for row in sign_ins_in_reach(SignInEvent.objects.all(), customers)
        .filter(
            succeeded=True,
            created_at__gte=timezone.make_aware(datetime.combine(week_starts[0], time.min)),
        )
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    }
    active_portal_users = company_users().active_count(
        customers, active_since=timezone.now() - timedelta(days=30)
    )
    types = [(value, label) for value, label in BusinessType.choices if by_type.get(value)]
    month_labels = [m.strftime("%b %Y") for m in starts]
    charts = {
        "by_type": share_chart([label for _, label in types], [by_type[v] for v, _ in types]),
        "by_status": series_chart(
            "bar",
            [label for _, label in CustomerStatus.choices],
            {"Customers": [by_status.get(v, 0) for v, _ in CustomerStatus.choices]},
        ),
        # The current month is still running: drawn (and listed) as a partial one.
        "customers": series_chart(
            "bar",
            month_labels,
            {"New customers": new, "Churned subscriptions": churned},
            partial_last=True,
        ),
        "mrr": series_chart(
            "line",
            month_labels,
            {"MRR (plans, seats, projects)": mrr_trend, "Payments received": collected},
            kinds=dict.fromkeys(("MRR (plans, seats, projects)", "Payments received"), "money"),
            partial_last=True,
        ),
        "sign_ins": series_chart(
            "line",
            [w.strftime("%d %b") for w in week_starts],
            {"Sign-ins": [sign_in_rows.get(w, 0) for w in week_starts]},
            partial_last=True,
            partial_label=PARTIAL_WEEK,
        ),
    }
    return {
        "months": months,
        "range_choices": RANGE_CHOICES,
        "figures": tenant_figures(scope),
        "retention": "—" if retention is None else percent_text(retention, 1),
        "active_portal_users": active_portal_users,
        "charts": [chart_entry(key, CHART_TITLES[key], chart) for key, chart in charts.items()],
    }


CHART_TITLES = {
    "by_type": "Customers by type",
    "by_status": "Customers by status",
    "customers": "New customers (by customer since) and churn per month",
    "mrr": "MRR at each month's end and payments received",
    "sign_ins": "Sign-ins per week",
}
