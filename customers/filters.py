import django_filters
from django import forms
from django_countries import countries

from accounts.policies import may_see_deleted
from core.filters import style_filter_form

from .models import BusinessType, Customer, CustomerStatus

ARCHIVED_CHOICES = [("only", "Archived only"), ("include", "Include archived")]
DELETED_CHOICES = [("only", "Deleted only (restore or purge)")]
SORT_FIELDS = ("name", "industry", "business_type", "website", "status")


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search name, email, phone…"}
        ),
    )
    business_type = django_filters.ChoiceFilter(
        choices=BusinessType.choices, empty_label="Any type"
    )
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices, empty_label="Any status")
    industry = django_filters.CharFilter(lookup_expr="iexact", label="Industry")
    country = django_filters.ChoiceFilter(choices=list(countries), empty_label="Any country")
    parent_id = django_filters.NumberFilter(field_name="parent_id", widget=forms.HiddenInput)
    archived = django_filters.ChoiceFilter(
        choices=ARCHIVED_CHOICES,
        method="filter_archived",
        empty_label="Hide archived",
        label="Archived",
    )
    deleted = django_filters.ChoiceFilter(
        choices=DELETED_CHOICES,
        method="filter_deleted",
        empty_label="Hide deleted",
        label="Deleted",
    )

    class Meta:
        model = Customer
        fields = ["q", "business_type", "status", "industry", "country", "parent_id"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is None or not may_see_deleted(request.user):
            self.filters.pop("deleted")
        style_filter_form(self.form)

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_archived(self, queryset, name, value):
        return queryset  # applied in filter_queryset, which also covers the empty default

    def filter_deleted(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        """Also runs unbound: archived and deleted customers are hidden unless asked for."""
        data = {}
        if self.is_bound:
            queryset = super().filter_queryset(queryset)
            data = self.form.cleaned_data
        if data.get("deleted") == "only" and "deleted" in self.filters:
            # Deleted customers are listed whether or not they were archived before.
            queryset = queryset.filter(deleted_at__isnull=False)
            return queryset.filter(is_archived=True) if data.get("archived") == "only" else queryset
        queryset = queryset.filter(deleted_at__isnull=True)
        archived = data.get("archived") or ""
        if archived == "only":
            queryset = queryset.filter(is_archived=True)
        elif archived != "include":
            queryset = queryset.filter(is_archived=False)
        return queryset

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            queryset = self.queryset.all()
            if self.is_bound:
                self.errors  # noqa: B018 - validates, so invalid values are ignored below
            queryset = self.filter_queryset(queryset)
            self._qs = queryset
        return self._qs
