"""Seed 002's customer metrics, per customer and across customers: users and active users,
usage (operations, storage, bandwidth) per month, MRR, usage costs, payments, outstanding
balance, lifetime value, login frequency and retention.

Every series is one grouped query over the whole month range, so a page costs the same number
of queries for 3 months or 36, for one customer or 100,000. ``customers`` bounds a figure to
some customers (one customer's page, its family with ``?rollup=1``, or a limited staff user's
reach); ``None`` is the whole tenant.

Definitions (also shown on the pages):
* active user: a company's user signed in within the last 30 days;
* login frequency: successful sign-ins of the companies' users in a month per user;
* usage costs: usage lines invoiced for the month (a sub-account's usage on its parent's
  consolidated invoice counts for the sub-account); drafts and void invoices left out;
* lifetime value: everything paid on the customer's invoices, subscription or not;
* months as a customer: from "customer since" to today, or to the end of its last
  subscription when every subscription is cancelled;
* cohort retention: of the customers who became customers in a month and ever subscribed,
  how many have a live subscription today."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from . import money
from .charts import chart_entry, formatted, series_chart
from .choices import LineKind
from .company_users import company_users
from .figures import (
    ZERO,
    _monthly,
    _of,
    invoice_totals,
    mrr,
    mrr_by_month,
    new_customers_per_month,
)
from .models import Invoice, InvoiceLine, InvoiceStatus, Payment, Project, Subscription, UsageRecord
from .querysets import status_conditions

LIVE_SUBSCRIPTION = ("active", "past_due")
BILLED = ~Q(invoice__status__in=[InvoiceStatus.DRAFT, InvoiceStatus.VOID])
ACTIVE_WITHIN = timedelta(days=30)
MAX_MONTHS = 36
TOP = 10


@dataclass(frozen=True)
class MonthRange:
    first: date  # first day of the first month
    last: date  # first day of the last month

    @property
    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = money.add_months(month, 1)
        return months

    @property
    def end(self) -> date:
        """The day after the range."""
        return money.add_months(self.last, 1)

    @property
    def includes_today(self) -> bool:
        return self.first <= timezone.localdate() < self.end


def last_months(count: int = 12, today: date | None = None) -> MonthRange:
    last = (today or timezone.localdate()).replace(day=1)
    return MonthRange(money.add_months(last, -(count - 1)), last)


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 when end is before start)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


# --- Series (one query each) -------------------------------------------------------------


def _bounded(queryset, customers: Collection[int] | None, path: str = "customer_id"):
    return _of(queryset, customers, path)


def usage_by_month(span: MonthRange, customers=None) -> dict[str, list[Decimal]]:
    """Each metric's quantity per month ("Operations (calls)": [...])."""
    rows = (
        _bounded(UsageRecord.objects.all(), customers)
        .filter(day__gte=span.first, day__lt=span.end)
        .annotate(month=TruncMonth("day"))
        .values("metric__name", "metric__unit", "month")
        .annotate(total=Sum("quantity"))
        .values_list("metric__name", "metric__unit", "month", "total")
    )
    by_metric = defaultdict(list)
    for name, unit, month, total in rows:
        label = f"{name} ({unit})" if unit and unit.lower() != name.lower() else name
        by_metric[label].append((month, total))
    return {name: _monthly(by_metric[name], span.months) for name in sorted(by_metric)}


def usage_costs_by_month(span: MonthRange, customers=None) -> list[Decimal]:
    lines = InvoiceLine.objects.filter(
        BILLED,
        kind=LineKind.USAGE,
        invoice__period_start__gte=span.first,
        invoice__period_start__lt=span.end,
    ).annotate(payer=Coalesce("sub_account_id", "invoice__customer_id"))
    rows = (
        _bounded(lines, customers, "payer")
        .annotate(month=TruncMonth("invoice__period_start"))
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    return [Decimal(value) for value in _monthly(rows, span.months)]


def payments_by_month(span: MonthRange, customers=None) -> list[Decimal]:
    rows = (
        _bounded(Payment.objects.all(), customers, "invoice__customer_id")
        .filter(paid_on__gte=span.first, paid_on__lt=span.end)
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    return [Decimal(value) for value in _monthly(rows, span.months)]


def sign_ins_by_month(span: MonthRange, customers=None) -> list[int]:
    from accounts.models import SignInEvent

    begin = timezone.make_aware(datetime.combine(span.first, time.min))
    end = timezone.make_aware(datetime.combine(span.end, time.min))
    rows = (
        SignInEvent.objects.filter(
            succeeded=True,
            created_at__gte=begin,
            created_at__lt=end,
            user_id__in=company_users().user_ids(customers),
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return _monthly(rows, span.months)


def user_counts(customers=None) -> dict[str, int]:
    """The companies' active users (``total``) and those signed in within 30 days."""
    from accounts.models import User

    since = timezone.now() - ACTIVE_WITHIN
    return User.objects.filter(
        pk__in=company_users().user_ids(customers), is_active=True
    ).aggregate(total=Count("pk"), active=Count("pk", filter=Q(last_login__gte=since)))


def per_user(sign_ins: list[int], users: int) -> list[Decimal | None]:
    """Login frequency: sign-ins per user in each month (None without users)."""
    if not users:
        return [None for _ in sign_ins]
    return [(Decimal(count) / users).quantize(Decimal("0.1")) for count in sign_ins]


def lifetime_value(customers=None) -> Decimal:
    """Payments received (credit notes and applied credit settle invoices; nobody paid them)."""
    return _bounded(Payment.objects.all(), customers, "invoice__customer_id").aggregate(
        paid=Coalesce(Sum("amount"), ZERO)
    )["paid"]


def retention_rate(first: date, customers=None) -> Decimal | None:
    """Of the subscriptions live at ``first``, the share still not cancelled (percent)."""
    subscriptions = _bounded(Subscription.objects.all(), customers).filter(start_date__lt=first)
    counts = subscriptions.aggregate(
        at_start=Count("pk", filter=Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=first)),
        lost=Count("pk", filter=Q(status="cancelled", cancelled_on__gte=first)),
    )
    if not counts["at_start"]:
        return None
    kept = Decimal(100 * (counts["at_start"] - counts["lost"])) / counts["at_start"]
    return kept.quantize(Decimal("0.1"))


# --- One customer -------------------------------------------------------------------------


def months_as_customer(customer, today: date | None = None) -> tuple[int, date | None]:
    """Retention of one customer: whole months from "customer since" to today, or to the end
    of its last subscription when it has subscriptions and none is live. Returns the months
    and the day it ended (None while it lasts)."""
    today = today or timezone.localdate()
    subscriptions = Subscription.objects.filter(customer_id=customer.pk).aggregate(
        live=Count("pk", filter=~Q(status="cancelled")),
        any=Count("pk"),
        ended=Max("cancelled_on"),
    )
    ended = None
    if subscriptions["any"] and not subscriptions["live"] and subscriptions["ended"]:
        ended = min(subscriptions["ended"], today)
    return months_between(customer.customer_since, ended or today), ended


def customer_analytics(customer, span: MonthRange, customer_ids: list[int]) -> dict:
    """Everything the customer page's Analytics tab shows, for ``customer_ids`` (the customer,
    or its family on a roll-up)."""
    users = user_counts(customer_ids)
    sign_ins = sign_ins_by_month(span, customer_ids)
    totals = invoice_totals(_bounded(Invoice.objects.all(), customer_ids))
    months, ended = months_as_customer(customer)
    monthly = _monthly_table(span, customer_ids, sign_ins, users["total"])
    return {
        "span": span,
        "users": users,
        "mrr": mrr(customers=customer_ids),
        "outstanding": totals["outstanding"],
        "overdue": totals["overdue"],
        "lifetime_value": totals["paid"],
        "months_as_customer": months,
        "ended": ended,
        "login_frequency": _average(sign_ins, users["total"], span),
        "payments": Payment.objects.filter(invoice__customer_id__in=customer_ids)
        .select_related("invoice")
        .order_by("-paid_on", "-pk")[:10],
        **_charts_and_table(monthly, span),
    }


# --- Across customers ----------------------------------------------------------------------


def overall_analytics(span: MonthRange, customers=None) -> dict:
    """The staff's analytics page: the same figures across the customers ``customers``
    bounds (the tenant's when None), top customers, and retention cohorts."""
    from customers.models import Customer

    users = user_counts(customers)
    sign_ins = sign_ins_by_month(span, customers)
    monthly = _monthly_table(span, customers, sign_ins, users["total"])
    monthly["series"] = {
        "New customers": new_customers_per_month(span.months, customers=customers),
        **monthly["series"],
    }
    monthly["kinds"]["New customers"] = "count"
    live = _bounded(Customer.objects.filter(deleted_at__isnull=True), customers, "pk")
    totals = invoice_totals(_bounded(Invoice.objects.all(), customers), with_paid=True)
    counts = live.aggregate(
        customers=Count("pk"),
        subscribed=Count(
            "pk",
            filter=Q(
                Exists(
                    Subscription.objects.filter(
                        customer_id=OuterRef("pk"), status__in=LIVE_SUBSCRIPTION
                    )
                )
            ),
        ),
    )
    paying = counts["subscribed"]
    monthly_now = mrr(customers=customers)
    return {
        "span": span,
        "users": users,
        "counts": counts,
        "mrr": monthly_now,
        "outstanding": totals["outstanding"],
        "overdue": totals["overdue"],
        "lifetime_value": totals["paid"],
        "average_mrr": (monthly_now / paying).quantize(Decimal("0.01")) if paying else None,
        "retention": retention_rate(span.first, customers),
        "login_frequency": _average(sign_ins, users["total"], span),
        "cohorts": cohorts(span, live),
        "top": {
            "mrr": top_by_mrr(live),
            "lifetime_value": top_by_lifetime_value(customers),
            "usage": top_by_usage(span, customers),
        },
        **_charts_and_table(monthly, span),
    }


def cohorts(span: MonthRange, live) -> list[dict]:
    """Per "customer since" month of the range: how many became customers, how many of them
    ever subscribed, how many still have a live subscription. One query."""
    subscribed = Subscription.objects.filter(customer_id=OuterRef("pk"))
    rows = (
        live.filter(customer_since__gte=span.first, customer_since__lt=span.end)
        .annotate(month=TruncMonth("customer_since"))
        .values("month")
        .annotate(
            joined=Count("pk"),
            subscribed=Count("pk", filter=Q(Exists(subscribed))),
            retained=Count("pk", filter=Q(Exists(subscribed.filter(status__in=LIVE_SUBSCRIPTION)))),
        )
        .order_by("month")
    )
    by_month = {row["month"]: row for row in rows}
    result = []
    for month in span.months:
        row = by_month.get(month, {"joined": 0, "subscribed": 0, "retained": 0})
        rate = (
            (Decimal(100 * row["retained"]) / row["subscribed"]).quantize(Decimal("0.1"))
            if row["subscribed"]
            else None
        )
        result.append(
            {
                "month": month,
                **{k: row[k] for k in ("joined", "subscribed", "retained")},
                "rate": rate,
            }
        )
    return result


def top_by_mrr(live) -> list[dict]:
    """The live customers with the highest MRR today (plans and seats of live subscriptions
    plus active projects' monthly fees). One query."""
    subscriptions = (
        Subscription.objects.filter(customer_id=OuterRef("pk"), status__in=LIVE_SUBSCRIPTION)
        .values("customer_id")
        .annotate(total=Sum(F("plan__monthly_fee") + F("plan__seat_fee") * F("seats")))
        .values("total")
    )
    projects = (
        Project.objects.filter(status_conditions(timezone.localdate())["active"])
        .filter(customer_id=OuterRef("pk"))
        .values("customer_id")
        .annotate(total=Sum("monthly_fee"))
        .values("total")
    )
    # Only customers who pay something are priced (a semi-join, not a probe per customer).
    paying = Q(
        pk__in=Subscription.objects.filter(status__in=LIVE_SUBSCRIPTION).values("customer_id")
    ) | Q(
        pk__in=Project.objects.filter(status_conditions(timezone.localdate())["active"])
        .filter(monthly_fee__gt=0)
        .values("customer_id")
    )
    rows = (
        live.filter(paying)
        .annotate(
            value=Coalesce(Subquery(subscriptions), ZERO) + Coalesce(Subquery(projects), ZERO)
        )
        .filter(value__gt=0)
        .order_by("-value", "pk")
        .values("pk", "name", "value")[:TOP]
    )
    return list(rows)


def top_by_lifetime_value(customers=None) -> list[dict]:
    rows = (
        _bounded(
            Payment.objects.filter(invoice__customer__deleted_at__isnull=True),
            customers,
            "invoice__customer_id",
        )
        .values("invoice__customer_id")
        .annotate(value=Sum("amount"), name=Max("invoice__customer__name"))
        .filter(value__gt=0)
        .order_by("-value", "invoice__customer_id")[:TOP]
    )
    return [
        {"pk": row["invoice__customer_id"], "name": row["name"], "value": row["value"]}
        for row in rows
    ]


def top_by_usage(span: MonthRange, customers=None) -> list[dict]:
    """Highest usage charges invoiced over the range (a sub-account's own usage counts for
    it, even on its parent's invoice). Two queries: the sums, then the names."""
    from customers.models import Customer

    lines = InvoiceLine.objects.filter(
        BILLED,
        kind=LineKind.USAGE,
        invoice__period_start__gte=span.first,
        invoice__period_start__lt=span.end,
    ).annotate(payer=Coalesce("sub_account_id", "invoice__customer_id"))
    sums = list(
        _bounded(lines, customers, "payer")
        .filter(payer__isnull=False)
        .values("payer")
        .annotate(value=Sum("amount"))
        .filter(value__gt=0)
        .order_by("-value", "payer")
        .values_list("payer", "value")[:TOP]
    )
    names = dict(
        Customer.objects.filter(pk__in=[pk for pk, _ in sums], deleted_at__isnull=True).values_list(
            "pk", "name"
        )
    )
    return [{"pk": pk, "name": names[pk], "value": value} for pk, value in sums if pk in names]


# --- Shared --------------------------------------------------------------------------------


def _average(sign_ins: list[int], users: int, span: MonthRange) -> Decimal | None:
    """Sign-ins per user per month over the range's full months (the running one left out
    unless it is the only one)."""
    counted = sign_ins[:-1] if span.includes_today and len(sign_ins) > 1 else sign_ins
    if not users or not counted:
        return None
    return (Decimal(sum(counted)) / users / len(counted)).quantize(Decimal("0.1"))


def _monthly_table(span: MonthRange, customers, sign_ins: list[int], users: int) -> dict:
    usage = usage_by_month(span, customers)
    series = {
        "MRR": [value for _, value in mrr_by_month(span.first, span.last, customers=customers)],
        "Usage costs invoiced": usage_costs_by_month(span, customers),
        "Payments received": payments_by_month(span, customers),
        "Sign-ins": sign_ins,
        "Sign-ins per user": per_user(sign_ins, users),
        **usage,
    }
    kinds = {
        "MRR": "money",
        "Usage costs invoiced": "money",
        "Payments received": "money",
        "Sign-ins": "count",
        "Sign-ins per user": "ratio",
        **dict.fromkeys(usage, "quantity"),
    }
    return {"series": series, "kinds": kinds, "usage_names": list(usage)}


def _charts_and_table(monthly: dict, span: MonthRange) -> dict:
    """The month-by-month table (formatted, the running month marked) and its charts."""
    labels = [month.strftime("%b %Y") for month in span.months]
    series, kinds = monthly["series"], monthly["kinds"]
    partial = span.includes_today and span.last == timezone.localdate().replace(day=1)

    def chart(chart_type, names):
        return series_chart(
            chart_type,
            labels,
            {name: series[name] for name in names},
            kinds={name: kinds[name] for name in names},
            partial_last=partial,
        )

    money_names = ["MRR", "Usage costs invoiced", "Payments received"]
    charts = [
        chart_entry("money", "MRR, usage costs and payments per month", chart("line", money_names)),
        chart_entry("sign_ins", "Sign-ins per month", chart("bar", ["Sign-ins"])),
    ]
    # One chart per metric: operations run to millions while gigabytes stay in the hundreds,
    # so on one scale the smaller metrics would be flat lines.
    for index, name in enumerate(monthly["usage_names"]):
        charts.append(chart_entry(f"usage-{index}", f"{name} per month", chart("bar", [name])))
    if "New customers" in series:
        charts.insert(
            0,
            chart_entry(
                "new_customers",
                "New customers per month (by customer since)",
                chart("bar", ["New customers"]),
            ),
        )
    columns = list(series)
    rows = []
    for index, label in enumerate(labels):
        shown = (
            f"{label} (partial month, so far)" if partial and index == len(labels) - 1 else label
        )
        rows.append((shown, [formatted(series[name][index], kinds[name]) for name in columns]))
    return {
        "charts": charts,
        "table": {"columns": columns, "rows": rows, "kinds": kinds},
        "series": series,
        "labels": labels,
        "partial": partial,
    }
