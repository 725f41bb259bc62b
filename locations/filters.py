import django_filters
from django import forms
from django_countries import countries

from core.filters import ArchivableFilterSet, search_filter
from fields.filters import CustomFieldFilterMixin

from .models import Location, LocationStatus, LocationType


class LocationFilterSet(CustomFieldFilterMixin, ArchivableFilterSet):
    custom_field_kind = "location"
    q = search_filter("Search name, city, address…")
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    location_type = django_filters.ChoiceFilter(
        choices=LocationType.choices, empty_label="Any type", label="Type"
    )
    status = django_filters.ChoiceFilter(choices=LocationStatus.choices, empty_label="Any status")
    country = django_filters.ChoiceFilter(choices=list(countries), empty_label="Any country")

    class Meta:
        model = Location
        fields = ["q", "customer_id", "location_type", "status", "country"]
