from __future__ import annotations

import re

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from core.policies import Capability
from core.querysets import STAFF_ACTIONS, ScopedQuerySet

# Billing records are changed by owners and admins; staff and viewers read them.
BILLING_ACTIONS = {**STAFF_ACTIONS, "change": Capability.MANAGE_BILLING}


def status_conditions(day) -> dict[str, Q]:
    """The derived project status as filters, so lists and summaries count it in SQL."""
    return {
        "cancelled": Q(is_cancelled=True),
        "upcoming": Q(is_cancelled=False, start_date__gt=day),
        "past": Q(is_cancelled=False, start_date__lte=day, end_date__lt=day),
        "active": Q(is_cancelled=False, start_date__lte=day)
        & (Q(end_date__isnull=True) | Q(end_date__gte=day)),
    }


class ProjectQuerySet(ScopedQuerySet):
    """Projects of customers the scope reaches (and, for unlimited staff, projects whose
    customer was purged: the financial record stays)."""

    scope_paths = ("customer",)

    def with_status(self, day=None) -> ProjectQuerySet:
        day = day or timezone.localdate()
        conditions = status_conditions(day)
        return self.annotate(
            status_code=Case(
                *[When(condition, then=Value(name)) for name, condition in conditions.items()],
                output_field=models.CharField(),
            )
        )

    def in_status(self, status: str, day=None) -> ProjectQuerySet:
        conditions = status_conditions(day or timezone.localdate())
        return self.filter(conditions[status]) if status in conditions else self

    def search(self, term: str) -> ProjectQuerySet:
        term = " ".join((term or "").split())[:100]
        if not term:
            return self
        return self.filter(Q(name__icontains=term) | Q(customer_name__icontains=term))


class SubscriptionQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    staff_actions = BILLING_ACTIONS

    def live(self) -> SubscriptionQuerySet:
        return self.exclude(status="cancelled")


class InvoiceQuerySet(ScopedQuerySet):
    """A purged customer's invoices (customer unset, its name kept) stay on the books for
    unlimited staff; a soft-deleted customer's leave the lists like the customer."""

    scope_paths = ("customer",)
    staff_actions = BILLING_ACTIONS

    def open(self) -> InvoiceQuerySet:
        return self.filter(status__in=["issued", "partially_paid", "overdue"])

    def with_receipt_flag(self) -> InvoiceQuerySet:
        """``has_payments``: whether a payment was recorded against the invoice, so it has a
        receipt (credit notes and applied credit settle an invoice without one). A subquery
        per row on the payments' invoice index, in the same query."""
        from .models import Payment

        return self.annotate(has_payments=Exists(Payment.objects.filter(invoice=OuterRef("pk"))))

    def search(self, term: str) -> InvoiceQuerySet:
        """A term with a digit and no space is first taken as (the start of) an invoice
        number — "INV-0001", "inv-000123" or just "123" — and those invoices come newest
        number first; otherwise, or when no number matches, customer names are searched."""
        term = " ".join((term or "").split())[:100]
        if not term:
            return self
        if NUMBER_LIKE.match(term):
            by_number = self.filter(number_matching(term))
            if by_number.exists():
                return by_number.order_by("-number")
        return self.filter(customer_name__icontains=term)


NUMBER_LIKE = re.compile(r"^(?=.*\d)\S{1,30}$")


def number_matching(term: str) -> Q:
    """Numbers starting with the term (as typed or in capitals) as index range scans on the
    unique number index, and for digits alone the number they stand for ("123" →
    "INV-000123")."""
    condition = Q()
    for start in dict.fromkeys([term.upper(), term]):
        after = start[:-1] + chr(ord(start[-1]) + 1)
        condition |= Q(number__gte=start, number__lt=after, number__startswith=start)
    if term.isdigit():
        from .models import BillingSettings

        prefix = BillingSettings.objects.values_list("invoice_prefix", flat=True).first() or ""
        condition |= Q(number=f"{prefix}{int(term):06d}")
    return condition


class PaymentQuerySet(ScopedQuerySet):
    scope_paths = ("invoice__customer",)
    staff_actions = BILLING_ACTIONS


class UsageRecordQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    # Staff record usage (it is how metered customers are billed); admins correct it.
    staff_actions = {**STAFF_ACTIONS, "change": Capability.EDIT_RECORDS}


class PlanQuerySet(ScopedQuerySet):
    scope_paths = ()  # the tenant's price list: staff read it, billing managers change it
    staff_actions = BILLING_ACTIONS
