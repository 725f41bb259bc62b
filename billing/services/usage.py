"""Usage: a day's quantity of a metric per customer, and the rules it is recorded under."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User

from ..models import Invoice, InvoiceStatus, Metric, Subscription, UsageRecord, UsageSource
from ..selectors import payer_id
from .subscriptions import require_live_customer

# The rules of a day's usage, shared with the usage import (imports/usage.py), which checks a
# whole file against them in bulk.
USAGE_NEGATIVE = "Enter a quantity of zero or more."
USAGE_FUTURE_DAY = "Usage cannot be recorded for a day in the future."
USAGE_ON_ISSUED_INVOICE = "That day is on an issued invoice already; void it first to change usage."
# Invoices in these states leave a day's usage open to change.
USAGE_OPEN_INVOICE_STATUSES = (InvoiceStatus.VOID, InvoiceStatus.DRAFT)


def usage_no_subscription(customer_name: str, day: date) -> str:
    return f"{customer_name} had no active subscription on {day:%Y-%m-%d}."


@transaction.atomic
def usage_record(
    *,
    customer,
    metric: Metric,
    day: date,
    quantity: Decimal,
    actor: User | None,
    source: str = UsageSource.STAFF,
) -> UsageRecord:
    """Record (or replace) a day's usage of one metric."""
    require_live_customer(customer)
    if quantity is None or quantity < 0:
        raise ValidationError({"quantity": USAGE_NEGATIVE})
    if day > timezone.localdate():
        raise ValidationError({"day": USAGE_FUTURE_DAY})
    subscriptions = Subscription.objects.filter(customer=customer, start_date__lte=day).filter(
        Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=day)
    )
    if not subscriptions.exists():
        raise ValidationError({"day": usage_no_subscription(customer.name, day)})
    if (
        Invoice.objects.filter(
            customer_id=payer_id(customer), period_start__lte=day, period_end__gte=day
        )
        .exclude(status__in=USAGE_OPEN_INVOICE_STATUSES)
        .exists()
    ):
        raise ValidationError({"day": USAGE_ON_ISSUED_INVOICE})
    record, _ = UsageRecord.objects.update_or_create(
        customer=customer,
        metric=metric,
        day=day,
        defaults={"quantity": quantity, "source": source, "recorded_by": actor},
    )
    return record
