import django_filters
from django import forms
from django.db.models import Q

from core.filters import search_filter

from .models import JoinRequest, Membership, PortalRole


class MembershipFilterSet(django_filters.FilterSet):
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


class JoinRequestFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JoinRequest.Status.choices)

    class Meta:
        model = JoinRequest
        fields = ["status"]
