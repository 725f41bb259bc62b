import django_filters
from django import forms
from django.db.models import Q

from assets.models import Asset
from core.filters import StyledFilterSet, search_filter
from locations.models import Location

from .models import JoinRequest, Membership, PortalRole


class MembershipFilterSet(StyledFilterSet):
    """Customer users: by company, role, whether they may sign in, and a search."""

    q = search_filter("Search email or name…")
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    role = django_filters.ChoiceFilter(choices=PortalRole.choices, empty_label="Any role")
    is_active = django_filters.BooleanFilter(field_name="user__is_active", label="Active")

    class Meta:
        model = Membership
        fields = ["q", "customer_id", "role", "is_active"]

    def search(self, queryset, name, value):
        term = value.strip()[:100]
        if not term:
            return queryset
        return queryset.filter(
            Q(user__email__icontains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
        )


class JoinRequestFilterSet(StyledFilterSet):
    status = django_filters.ChoiceFilter(choices=JoinRequest.Status.choices)

    class Meta:
        model = JoinRequest
        fields = ["status"]


class PortalLocationFilterSet(StyledFilterSet):
    """The portal's locations: a search only (the company and live records come from the
    view's queryset)."""

    q = search_filter("Search name, city…")

    class Meta:
        model = Location
        fields = ["q"]


class PortalAssetFilterSet(StyledFilterSet):
    """The portal's assets: a search only."""

    q = search_filter("Search tag, serial number, model…")

    class Meta:
        model = Asset
        fields = ["q"]
