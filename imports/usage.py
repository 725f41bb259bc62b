"""The usage import: billing usage records (customer, metric, day, quantity), upserted by
customer + metric + day — a day's quantity is replaced — under the rules of
``billing.services.usage.usage_record``: no usage for deleted customers, for days in the future,
for days without a subscription (or after it was cancelled), nor for days an issued invoice
already bills. The whole file is checked against those rules with a few queries in all."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, widgets

from billing.models import BillingProfile, Invoice, Metric, Subscription, UsageRecord, UsageSource
from billing.services.usage import (
    USAGE_FUTURE_DAY,
    USAGE_NEGATIVE,
    USAGE_ON_ISSUED_INVOICE,
    USAGE_OPEN_INVOICE_STATUSES,
    usage_no_subscription,
)

from .engine import CustomerIndex, CustomerKey, ImportResource, any_of
from .widgets import Column, DateWidget, as_text, blank

USAGE_COLUMNS = [
    Column(
        "customer",
        "Customer",
        True,
        "The customer's external ID or exact name",
        "Rows are matched to existing usage by customer, metric and day; a day's quantity "
        "is replaced.",
        example="CRM-1001",
    ),
    Column(
        "metric",
        "Metric",
        True,
        "A metric's code or name (operations, storage-gb, bandwidth-gb, or your own)",
        example="operations",
    ),
    Column(
        "day",
        "Day",
        True,
        "YYYY-MM-DD; not in the future, within the customer's subscription, not on an "
        "issued invoice",
        example="2026-10-31",
    ),
    Column(
        "quantity",
        "Quantity",
        True,
        "A number of zero or more, up to 3 decimals, e.g. 1250 or 12.5",
        example="1250",
    ),
]


class QuantityWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if blank(value):
            raise ValueError("Give the quantity: a number of zero or more.")
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            number = Decimal(str(value))
        else:
            try:
                number = Decimal(as_text(value).replace(" ", "").replace(",", ""))
            except InvalidOperation:
                raise ValueError(
                    f"“{as_text(value)}” is not a number; write it like 1250 or 12.5."
                ) from None
        if not number.is_finite():
            raise ValueError(f"“{as_text(value)}” is not a number; write it like 1250 or 12.5.")
        if number < 0:
            raise ValueError(USAGE_NEGATIVE)
        return number


DAY = DateWidget()


class UsageResource(ImportResource):
    key_label = "customer, metric and day"
    columns = USAGE_COLUMNS
    resolved_fields = frozenset({"customer", "metric", "day"})
    fixed_attributes = frozenset({"customer_id", "metric_id", "day"})
    # Usage records keep no history (as when staff enter them); each says who recorded it.
    keeps_history = False

    quantity = fields.Field(attribute="quantity", column_name="quantity", widget=QuantityWidget())
    customer = fields.Field(attribute="customer_id", column_name="customer", readonly=True)
    metric = fields.Field(attribute="metric_id", column_name="metric", readonly=True)
    day = fields.Field(attribute="day", column_name="day", readonly=True)

    class Meta(ImportResource.Meta):
        model = UsageRecord
        fields = [column.name for column in USAGE_COLUMNS]

    def preload(self, rows) -> None:
        """Customers, metrics, and for the customers and days the file names: subscriptions
        and issued invoices (of whoever pays for each customer), one query each."""
        self.index = CustomerIndex(self.reach)
        self.today = timezone.localdate()
        self.metrics: dict[str, Metric] = {}
        for metric in Metric.objects.order_by("pk"):
            self.metrics.setdefault(metric.code.lower(), metric)
            self.metrics.setdefault(metric.name.strip().lower(), metric)
        customers: set[int] = set()
        days: set[datetime.date] = set()
        for row in rows:
            customer, _, day = self.resolve(row)
            if customer is not None and day is not None:
                customers.add(customer.pk)
                days.add(day)
        self.subscriptions: dict[int, list] = defaultdict(list)
        self.invoiced: dict[int, list] = defaultdict(list)
        self.payers: dict[int, int] = {}
        if not customers:
            return
        first, last = min(days), max(days)
        for customer_id, start, cancelled in Subscription.objects.filter(
            customer_id__in=any_of(customers), start_date__lte=last
        ).values_list("customer_id", "start_date", "cancelled_on"):
            self.subscriptions[customer_id].append((start, cancelled))
        parents = {self.index.by_pk[pk].parent_id for pk in customers} - {None}
        consolidated = set(
            BillingProfile.objects.filter(
                customer_id__in=any_of(parents), consolidated_billing=True
            ).values_list("customer_id", flat=True)
        )
        for pk in customers:
            parent_id = self.index.by_pk[pk].parent_id
            self.payers[pk] = parent_id if parent_id in consolidated else pk
        for payer_id, start, end in (
            Invoice.objects.filter(
                customer_id__in=any_of(set(self.payers.values())),
                period_start__lte=last,
                period_end__gte=first,
            )
            .exclude(status__in=USAGE_OPEN_INVOICE_STATUSES)
            .values_list("customer_id", "period_start", "period_end")
        ):
            self.invoiced[payer_id].append((start, end))

    def resolve(self, row) -> tuple[CustomerKey | None, Metric | None, datetime.date | None]:
        """The row's customer, metric and day, each None when its cell does not name one."""
        try:
            customer = self.index.refer(row.get("customer"))
        except ValueError:
            customer = None
        metric = self.metrics.get(as_text(row.get("metric")).lower())
        try:
            day = DAY.clean(row.get("day"))
        except ValueError:
            day = None
        return customer, metric, day

    def load(self, rows: list[dict]) -> None:
        keys = [self.resolve(row) for row in rows]
        customers = {customer.pk for customer, _, day in keys if customer and day}
        days = [day for customer, _, day in keys if customer and day]
        if not customers:
            self.existing = {}
            return
        queryset = UsageRecord.objects.filter(
            customer_id__in=any_of(customers), day__range=(min(days), max(days))
        )
        if self.lock:
            queryset = queryset.select_for_update()
        self.existing = {
            (record.customer_id, record.metric_id, record.day): record for record in queryset
        }

    def find(self, row):
        errors: dict[str, list[str]] = {}
        customer = metric = day = None
        try:
            customer = self.index.refer(row.get("customer"))
        except ValueError as error:
            errors["customer"] = [str(error)]
        text = as_text(row.get("metric"))
        metric = self.metrics.get(text.lower())
        if metric is None:
            codes = ", ".join(sorted({metric.code for metric in self.metrics.values()}))
            errors["metric"] = [
                f"No metric has the code or name “{text}”; use one of: {codes}."
                if text
                else f"Give the metric: one of {codes}."
            ]
        try:
            day = DAY.clean(row.get("day"))
            if day is None:
                errors["day"] = ["Give the day as YYYY-MM-DD."]
        except ValueError as error:
            errors["day"] = [str(error)]
        if customer is not None and day is not None:
            refusal = self.refusal(customer, day)
            if refusal:
                errors["day"] = [refusal]
        if errors:
            raise ValidationError(errors)
        key = (customer.pk, metric.pk, day)
        self.remember(key, "customer, metric and day")
        row["_key"] = key
        row["_label"] = f"{customer.name} · {metric.name} · {day:%Y-%m-%d}"
        return self.existing.get(key)

    def refusal(self, customer: CustomerKey, day: datetime.date) -> str:
        """Why billing would refuse usage of this customer on this day ("" when it would not)."""
        if day > self.today:
            return USAGE_FUTURE_DAY
        if not any(
            start <= day and (cancelled is None or cancelled >= day)
            for start, cancelled in self.subscriptions.get(customer.pk, ())
        ):
            return usage_no_subscription(customer.name, day)
        payer = self.payers.get(customer.pk, customer.pk)
        if any(start <= day <= end for start, end in self.invoiced.get(payer, ())):
            return USAGE_ON_ISSUED_INVOICE
        return ""

    def init_instance(self, row=None):
        customer_id, metric_id, day = row["_key"]
        return UsageRecord(customer_id=customer_id, metric_id=metric_id, day=day)

    def before_save_instance(self, instance, row, **kwargs):
        instance.source = UsageSource.IMPORT
        instance.recorded_by_id = self.actor.pk if self.actor is not None else None

    def update_fields(self) -> list[str]:
        return ["quantity", "source", "recorded_by"]

    def describe(self, instance, row: dict) -> str:
        return f"{row['_label']}: {instance.quantity.normalize():f}"

    def record_label(self, row: dict) -> str:
        return " · ".join(
            as_text(row.get(column)) for column in ("customer", "metric", "day") if row.get(column)
        )
