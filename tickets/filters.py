"""The ticket queue's filters: status (the unresolved ones by default), priority, assignee
(anyone, me, nobody), category and the company."""

from __future__ import annotations

import django_filters
from django import forms

from core.filters import DefaultedFilterSet, search_filter

from .models import Ticket, TicketCategory, TicketPriority, TicketStatus
from .querysets import OPEN_STATUSES

STATUS_CHOICES = [("unresolved", "Unresolved"), *TicketStatus.choices, ("all", "Any status")]
ASSIGNEE_CHOICES = [("me", "Assigned to me"), ("nobody", "Unassigned")]


class TicketFilterSet(DefaultedFilterSet):
    q = search_filter("Search subject, number or company…")
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", empty_label=None, label="Status"
    )
    priority = django_filters.ChoiceFilter(
        choices=TicketPriority.choices, empty_label="Any priority", label="Priority"
    )
    assignee = django_filters.ChoiceFilter(
        choices=ASSIGNEE_CHOICES, method="filter_assignee", empty_label="Anyone", label="Assignee"
    )
    category = django_filters.ChoiceFilter(
        choices=TicketCategory.choices, empty_label="Any category", label="Category"
    )
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)

    class Meta:
        model = Ticket
        fields = ["q", "status", "priority", "assignee", "category", "customer_id"]

    def apply_defaults(self, queryset, data: dict):
        # Unresolved tickets unless a status is chosen: the queue is the work still to do.
        if not data.get("status"):
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset

    def filter_status(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == "unresolved":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee_id=getattr(self.request.user, "pk", None))
        if value == "nobody":
            return queryset.filter(assignee__isnull=True)
        return queryset
