from __future__ import annotations

import re

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone


def status_conditions(day) -> dict[str, Q]:
    """The derived project status as filters, so lists and summaries count it in SQL."""
    return {
        "cancelled": Q(is_cancelled=True),
        "upcoming": Q(is_cancelled=False, start_date__gt=day),
        "past": Q(is_cancelled=False, start_date__lte=day, end_date__lt=day),
        "active": Q(is_cancelled=False, start_date__lte=day)
        & (Q(end_date__isnull=True) | Q(end_date__gte=day)),
    }


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user, *, include_deleted: bool = False) -> ProjectQuerySet:
        """Projects of customers the user may see (and, for console staff, projects whose
        customer was purged: the financial record stays)."""
        from accounts.policies import Capability, user_can
        from customers.models import Customer

        scope = Q(customer__in=Customer.objects.visible_to(user))
        if user_can(user, Capability.VIEW_CONSOLE):
            scope |= Q(customer__isnull=True)
        return self.filter(scope)

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


def _customer_scope(user, *, keep_orphans: bool) -> Q:
    """Records of customers the user may see. With ``keep_orphans`` (invoices), console staff
    see every record of their tenant: those of deleted and purged customers stay on the
    books, and no per-row customer check slows a list of a million invoices."""
    from accounts.policies import Capability, user_can
    from customers.models import Customer

    if keep_orphans and user_can(user, Capability.VIEW_CONSOLE):
        return Q()
    return Q(customer__in=Customer.objects.visible_to(user))


class SubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user, **_) -> SubscriptionQuerySet:
        return self.filter(_customer_scope(user, keep_orphans=False))

    def live(self) -> SubscriptionQuerySet:
        return self.exclude(status="cancelled")


class InvoiceQuerySet(models.QuerySet):
    def visible_to(self, user, **_) -> InvoiceQuerySet:
        return self.filter(_customer_scope(user, keep_orphans=True))

    def open(self) -> InvoiceQuerySet:
        return self.filter(status__in=["issued", "partially_paid", "overdue"])

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
