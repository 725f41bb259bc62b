import django_filters
from django import forms
from django.utils import timezone

from core.filters import StyledFilterSet, search_filter

from .models import Contract, ContractKind, ContractState


class ContractFilterSet(StyledFilterSet):
    q = search_filter("Search contract, C-12 or customer…")
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    state = django_filters.ChoiceFilter(
        choices=ContractState.choices, method="filter_state", empty_label="Any state", label="State"
    )
    kind = django_filters.ChoiceFilter(
        choices=ContractKind.choices, empty_label="Any type", label="Type"
    )
    auto_renew = django_filters.BooleanFilter(
        label="Renews automatically",
        widget=forms.Select(choices=[("", "Renewing or not"), ("true", "Yes"), ("false", "No")]),
    )
    recent = django_filters.BooleanFilter(
        method="filter_recent", widget=forms.HiddenInput, label="Ended in the last 30 days"
    )

    class Meta:
        model = Contract
        fields = ["q", "customer_id", "state", "kind", "auto_renew", "recent"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value, timezone.localdate())

    def filter_recent(self, queryset, name, value):
        if not value:
            return queryset
        from .customer_page import EXPIRED_LOOKBACK_DAYS

        today = timezone.localdate()
        return queryset.filter(
            terminated_on__isnull=True,
            end_date__lt=today,
            end_date__gte=today - timezone.timedelta(days=EXPIRED_LOOKBACK_DAYS),
        )
