import django_filters
from django import forms
from django_countries import countries

from accounts.policies import may_see_deleted
from core.filters import ArchivableFilterSet, search_filter
from fields.filters import CustomFieldFilterMixin

from .models import BusinessType, Customer, CustomerStatus, PortalAccess

DELETED_CHOICES = [("only", "Deleted only (restore or purge)")]


class CustomerFilterSet(CustomFieldFilterMixin, ArchivableFilterSet):
    custom_field_kind = "customer"
    q = search_filter("Search name, email, phone…")
    business_type = django_filters.ChoiceFilter(
        choices=BusinessType.choices, empty_label="Any type"
    )
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices, empty_label="Any status")
    # The account status (seed 002), not the relationship status above.
    account_status = django_filters.ChoiceFilter(
        field_name="portal_access",
        choices=PortalAccess.choices,
        empty_label="Any account status",
        label="Account status",
    )
    industry = django_filters.CharFilter(lookup_expr="iexact", label="Industry")
    country = django_filters.ChoiceFilter(choices=list(countries), empty_label="Any country")
    parent_id = django_filters.NumberFilter(field_name="parent_id", widget=forms.HiddenInput)
    deleted = django_filters.ChoiceFilter(
        choices=DELETED_CHOICES, method="ignore", empty_label="Hide deleted", label="Deleted"
    )

    class Meta:
        model = Customer
        fields = ["q", "business_type", "status", "industry", "country", "parent_id"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is None or not may_see_deleted(request.user):
            self.filters.pop("deleted")
            self.form.fields.pop("deleted", None)

    def apply_defaults(self, queryset, data: dict):
        if data.get("deleted") == "only" and "deleted" in self.filters:
            # Deleted customers are listed whether or not they were archived before.
            queryset = queryset.filter(deleted_at__isnull=False)
            return queryset.filter(is_archived=True) if data.get("archived") == "only" else queryset
        return super().apply_defaults(queryset.filter(deleted_at__isnull=True), data)
