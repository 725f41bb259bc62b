import django_filters
from django import forms

from .widgets import FastSelect

ARCHIVED_CHOICES = [("only", "Archived only"), ("include", "Include archived")]


def style_filter_form(form: forms.Form) -> forms.Form:
    """Bootstrap classes for a filter form's widgets (django-filter builds plain widgets)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput) or getattr(widget, "template_name", "").endswith(
            "autocomplete.html"
        ):
            continue
        if type(widget) is forms.Select:
            widget = field.widget = FastSelect(attrs=widget.attrs, choices=widget.choices)
        css = (
            "form-select form-select-sm"
            if isinstance(widget, forms.Select)
            else "form-control form-control-sm"
        )
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


def search_filter(placeholder: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


class StyledFilterSet(django_filters.FilterSet):
    """A list page's filters with Bootstrap-styled widgets; the search box (``q``, see
    ``search_filter``) asks the queryset's own ``search``. Every list's filter set, console's
    or portal's, starts here."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        style_filter_form(self.form)

    def search(self, queryset, name, value):
        return queryset.search(value)


class DefaultedFilterSet(StyledFilterSet):
    """A list whose filters have defaults that hold also when no filter is given at all
    (``apply_defaults``). Invalid values are ignored (and reported by the list page), never
    an error page."""

    def filter_queryset(self, queryset):
        data = {}
        if self.is_bound:
            queryset = super().filter_queryset(queryset)
            data = self.form.cleaned_data
        return self.apply_defaults(queryset, data)

    def apply_defaults(self, queryset, data: dict):
        return queryset

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            if self.is_bound:
                self.errors  # noqa: B018 - validates, so invalid values are left out below
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs


class ArchivableFilterSet(DefaultedFilterSet):
    """Archived records are hidden unless asked for."""

    archived = django_filters.ChoiceFilter(
        choices=ARCHIVED_CHOICES, method="ignore", empty_label="Hide archived", label="Archived"
    )

    def ignore(self, queryset, name, value):
        return queryset

    def apply_defaults(self, queryset, data: dict):
        archived = data.get("archived") or ""
        if archived == "only":
            return queryset.filter(is_archived=True)
        if archived != "include":
            return queryset.filter(is_archived=False)
        return queryset
