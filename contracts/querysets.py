"""Contracts are reached like the company they are for; the portal does not show them (yet)."""

from __future__ import annotations

from datetime import date

from django.db.models import DateField, ExpressionWrapper, F, Q, Value

from core.querysets import ScopedQuerySet


class ContractQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    portal_actions: dict[str, str] = {}

    def running(self, today: date) -> ContractQuerySet:
        """Started, not ended, not terminated (renewal due or not)."""
        return self.filter(start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today),
            Q(terminated_on__isnull=True) | Q(terminated_on__gt=today),
        )

    def renewal_due(self, today: date) -> ContractQuerySet:
        """Running, with an end date whose reminder day has come: ``end - notice - reminder
        <= today``, written as a condition on the end date so the partial index serves it."""
        last_day = ExpressionWrapper(
            Value(today, output_field=DateField()) + F("notice_days") + F("reminder_days"),
            output_field=DateField(),
        )
        return self.running(today).filter(end_date__isnull=False, end_date__lte=last_day)

    def in_state(self, state: str, today: date) -> ContractQuerySet:
        from .models import ContractState

        ended = Q(terminated_on__isnull=False, terminated_on__lte=today)
        if state == ContractState.TERMINATED:
            return self.filter(ended)
        live = self.exclude(ended)
        if state == ContractState.UPCOMING:
            return live.filter(start_date__gt=today)
        if state == ContractState.EXPIRED:
            return live.filter(end_date__lt=today)
        if state == ContractState.RENEWAL_DUE:
            return live.renewal_due(today)
        if state == ContractState.ACTIVE:
            return live.running(today).exclude(pk__in=live.renewal_due(today).values("pk"))
        return self

    def search(self, value: str) -> ContractQuerySet:
        from customers.models import Customer

        value = (value or "").strip()
        if not value:
            return self
        number = value.removeprefix("C-").removeprefix("c-")
        if number.isdigit() and len(number) < 10 and number != value:
            return self.filter(pk=int(number))
        from tickets.querysets import COMPANY_MATCHES

        companies = list(
            Customer._base_manager.filter(name__icontains=value).values_list("pk", flat=True)[
                :COMPANY_MATCHES
            ]
        )
        condition = Q(name__icontains=value)
        if companies:
            condition |= Q(customer_id__in=companies)
        return self.filter(condition)
