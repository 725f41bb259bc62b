import django_filters
from django import forms
from django.db.models import Q

from core.filters import StyledFilterSet, search_filter

from .models import (
    Invoice,
    InvoiceStatus,
    Metric,
    Payment,
    PaymentMethod,
    Plan,
    Project,
    ProjectStatus,
    Subscription,
    SubscriptionStatus,
    UsageRecord,
)
from .money import add_months


class ProjectFilterSet(StyledFilterSet):
    q = search_filter("Search project or customer…")
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(
        choices=ProjectStatus.choices,
        method="filter_status",
        empty_label="Any status",
        label="Status",
    )

    class Meta:
        model = Project
        fields = ["q", "customer_id", "status"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_status(self, queryset, name, value):
        return queryset.in_status(value)


class InvoiceFilterSet(StyledFilterSet):
    q = search_filter("Search number or customer…")
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(
        choices=InvoiceStatus.choices, empty_label="Any status", label="Status"
    )
    open = django_filters.BooleanFilter(
        method="filter_open", widget=forms.HiddenInput, label="Unpaid"
    )
    period = django_filters.DateFilter(
        field_name="period_start",
        method="filter_period",
        label="Month",
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )

    class Meta:
        model = Invoice
        fields = ["q", "status", "period", "customer_id"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset

    def filter_period(self, queryset, name, value):
        first = value.replace(day=1)
        return queryset.filter(period_start__gte=first, period_start__lt=add_months(first, 1))


class SubscriptionFilterSet(StyledFilterSet):
    q = django_filters.CharFilter(
        field_name="customer__name",
        lookup_expr="icontains",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search customer…"}),
    )
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(
        choices=SubscriptionStatus.choices, empty_label="Any status", label="Status"
    )
    plan = django_filters.ModelChoiceFilter(queryset=Plan.objects.all(), empty_label="Any plan")

    class Meta:
        model = Subscription
        fields = ["q", "status", "plan", "customer_id"]


class PlanFilterSet(StyledFilterSet):
    q = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search plan…"}),
    )

    class Meta:
        model = Plan
        fields = ["q", "is_active"]


class UsageFilterSet(StyledFilterSet):
    q = django_filters.CharFilter(
        field_name="customer__name",
        lookup_expr="icontains",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search customer…"}),
    )
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    metric = django_filters.ModelChoiceFilter(
        queryset=Metric.objects.all(), empty_label="Any metric"
    )
    day_from = django_filters.DateFilter(
        field_name="day",
        lookup_expr="gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    day_to = django_filters.DateFilter(
        field_name="day",
        lookup_expr="lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = UsageRecord
        fields = ["q", "metric", "day_from", "day_to", "customer_id"]


class PaymentFilterSet(StyledFilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search invoice, customer or reference…"}
        ),
    )
    customer_id = django_filters.NumberFilter(
        field_name="invoice__customer_id", widget=forms.HiddenInput
    )
    method = django_filters.ChoiceFilter(
        choices=PaymentMethod.choices, empty_label="Any method", label="Method"
    )

    class Meta:
        model = Payment
        fields = ["q", "method", "customer_id"]

    def search(self, queryset, name, value):
        value = " ".join(value.split())[:100]
        return queryset.filter(
            Q(invoice__number__icontains=value)
            | Q(invoice__customer_name__icontains=value)
            | Q(reference__icontains=value)
        )
