"""The ticket queue's filters: status (the unresolved ones by default), priority, assignee
(anyone, me, nobody), category and the company."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from core.filters import DefaultedFilterSet, search_filter

from .models import Ticket, TicketCategory, TicketPriority, TicketStatus
from .querysets import OPEN_STATUSES

STATUS_CHOICES = [("unresolved", "Unresolved"), *TicketStatus.choices, ("all", "Any status")]
SLA_CHOICES = [("missed", "Missed a target"), ("due_soon", "Due within an hour")]
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
    sla = django_filters.ChoiceFilter(
        choices=SLA_CHOICES,
        method="filter_sla",
        empty_label="Any service level",
        label="Service level",
    )
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)

    class Meta:
        model = Ticket
        fields = ["q", "status", "priority", "assignee", "category", "sla", "customer_id"]

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

    def filter_sla(self, queryset, name, value):
        now = timezone.now()
        if value == "missed":
            return queryset.filter(
                Q(first_response_breached_at__isnull=False)
                | Q(resolution_breached_at__isnull=False)
            )
        if value == "due_soon":
            soon = now + datetime.timedelta(hours=1)
            return queryset.filter(
                Q(first_response_at__isnull=True, first_response_due_at__range=(now, soon))
                | Q(sla_paused_at__isnull=True, resolution_due_at__range=(now, soon))
            )
        return queryset
