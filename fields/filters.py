"""The custom fields and tags as list filters (added per filter set from the definitions):
any-of for choices, ranges for numbers, decimals and dates, yes/no for booleans, any-of for
tags. Equality filters are JSONB containment (``@>``), which the records' GIN index
(jsonb_path_ops) serves; ranges compare the key's value (numbers cast to numeric, dates as
ISO text)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import DecimalField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from core.filters import style_filter_form

from .models import CustomField, FieldType, Tag
from .values import definitions_for

TAG_FILTER = "tag"


def _any_of(definition: CustomField):
    key, multi = definition.key, definition.field_type == FieldType.MULTI_CHOICE

    def method(queryset, name, values):
        if not values:
            return queryset
        condition = Q()
        for value in values:
            condition |= Q(custom_field_data__contains={key: [value] if multi else value})
        return queryset.filter(condition)

    return method


def _yes_no(definition: CustomField):
    key = definition.key

    def method(queryset, name, value):
        if value not in ("yes", "no"):
            return queryset
        return queryset.filter(custom_field_data__contains={key: value == "yes"})

    return method


def _bound(definition: CustomField, lookup: str):
    key, kind = definition.key, definition.field_type

    def method(queryset, name, value):
        if value in (None, ""):
            return queryset
        alias = f"cf_{key}_value"
        if kind == FieldType.DATE:
            expression = KT(f"custom_field_data__{key}")
            value = value.isoformat()
        else:
            expression = Cast(
                KT(f"custom_field_data__{key}"), DecimalField(max_digits=40, decimal_places=10)
            )
        return queryset.alias(**{alias: expression}).filter(**{f"{alias}__{lookup}": value})

    return method


def custom_filters(kind: str) -> dict[str, django_filters.Filter]:
    found: dict[str, django_filters.Filter] = {}
    for definition in definitions_for(kind):
        name, label = definition.column_name, definition.label
        if definition.is_choice:
            found[name] = django_filters.MultipleChoiceFilter(
                label=label,
                choices=[(c, c) for c in definition.choices],
                method=_any_of(definition),
            )
        elif definition.field_type == FieldType.BOOLEAN:
            found[name] = django_filters.ChoiceFilter(
                label=label,
                choices=[("yes", "Yes"), ("no", "No")],
                empty_label=f"{label}: any",
                method=_yes_no(definition),
            )
        elif definition.is_range:
            if definition.field_type == FieldType.DATE:
                make = django_filters.DateFilter
                widget = {"widget": forms.DateInput(attrs={"type": "date"})}
            else:
                make = django_filters.NumberFilter
                widget = {}
            found[f"{name}_min"] = make(
                label=f"{label} from", method=_bound(definition, "gte"), **widget
            )
            found[f"{name}_max"] = make(
                label=f"{label} to", method=_bound(definition, "lte"), **widget
            )
    return found


def _tagged(queryset, name, slugs):
    if not slugs:
        return queryset
    through = queryset.model.tags.through
    column = f"{queryset.model._meta.model_name}_id"
    tagged = through.objects.filter(tag__slug__in=slugs).values(column)
    return queryset.filter(pk__in=tagged)


class CustomFieldFilterMixin:
    """For a StyledFilterSet: adds the custom field filters of ``custom_field_kind`` and the
    tags filter (any of the chosen tags), and loads each page's tags in one query."""

    custom_field_kind = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.update(custom_filters(self.custom_field_kind))
        self.filters[TAG_FILTER] = django_filters.MultipleChoiceFilter(
            label="Tags",
            choices=lambda: list(Tag.objects.order_by("name").values_list("slug", "name")),
            method=_tagged,
        )
        for name, filter_ in self.filters.items():
            filter_.parent = self
            filter_.model = self._meta.model
            if not getattr(filter_, "field_name", None):
                filter_.field_name = name
        if hasattr(self, "_form"):
            del self._form  # rebuilt with the new filters
        style_filter_form(self.form)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset).prefetch_related("tags")
        loaded, deferring = queryset.query.deferred_loading
        if not deferring and loaded and "custom_field_data" not in loaded:
            # A list's ``only()`` (customers' for_list): the custom columns read the values.
            queryset = queryset.only(*loaded, "custom_field_data")
        return queryset
