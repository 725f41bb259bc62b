import django_filters
from django import forms

from core.filters import search_filter, style_filter_form

from .models import Project, ProjectStatus


class ProjectFilterSet(django_filters.FilterSet):
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

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        style_filter_form(self.form)

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_status(self, queryset, name, value):
        return queryset.in_status(value)
