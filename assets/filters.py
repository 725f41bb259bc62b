import django_filters
from django import forms

from core.filters import ArchivableFilterSet, search_filter
from fields.filters import CustomFieldFilterMixin

from .models import Asset, AssetCategory, AssetStatus

OWNERSHIP_CHOICES = [
    ("elsewhere", "Not owned by where it sits"),
    ("tenant", "Owned by us"),
    ("customer", "Owned by a customer"),
]


class AssetFilterSet(CustomFieldFilterMixin, ArchivableFilterSet):
    custom_field_kind = "asset"
    q = search_filter("Search tag, serial number, model…")
    owner_id = django_filters.NumberFilter(field_name="owner_id", widget=forms.HiddenInput)
    location_id = django_filters.NumberFilter(field_name="location_id", widget=forms.HiddenInput)
    location_customer_id = django_filters.NumberFilter(
        field_name="location__customer_id", widget=forms.HiddenInput
    )
    project_id = django_filters.NumberFilter(field_name="project_id", widget=forms.HiddenInput)
    category = django_filters.ChoiceFilter(
        choices=AssetCategory.choices, empty_label="Any category"
    )
    status = django_filters.ChoiceFilter(choices=AssetStatus.choices, empty_label="Any status")
    ownership = django_filters.ChoiceFilter(
        choices=OWNERSHIP_CHOICES,
        method="filter_ownership",
        empty_label="Any owner",
        label="Ownership",
    )

    class Meta:
        model = Asset
        fields = [
            "q",
            "owner_id",
            "location_id",
            "location_customer_id",
            "project_id",
            "category",
            "status",
        ]

    def filter_ownership(self, queryset, name, value):
        if value == "elsewhere":
            return queryset.hosted_elsewhere()
        if value == "tenant":
            return queryset.filter(owner__isnull=True)
        if value == "customer":
            return queryset.filter(owner__isnull=False)
        return queryset
