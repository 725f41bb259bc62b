"""Cell helpers for django-tables2 tables: rendered in Python, escaped by format_html."""

import operator
import re
from functools import partialmethod
from html import escape as html_escape

import django_tables2 as tables
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.templatetags.l10n import localize as localize_filter
from django.templatetags.l10n import unlocalize as unlocalize_filter
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.columns.templatecolumn import TemplateColumn
from django_tables2.rows import BoundRow
from django_tables2.utils import A, Accessor, signature

ARCHIVED_BADGE = mark_safe(' <span class="badge text-bg-secondary">Archived</span>')
DELETED_BADGE = mark_safe(' <span class="badge text-bg-dark">Deleted</span>')
_URL_ID_PLACEHOLDER = 987654321987
ACTION_COLUMN_ATTRS = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


def _escaped(value) -> str:
    """``conditional_escape`` without its lazy-string wrapper: these helpers run once per
    cell, and format_html's per-argument overhead was a tenth of a list's rendering."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_escape(str(value))


def badge(css: str, label: str) -> str:
    return SafeString(f'<span class="badge {_escaped(css)}">{_escaped(label)}</span>')


def view_button(record) -> str:
    return SafeString(
        f'<a class="btn btn-sm btn-outline-secondary" href="{_escaped(record.get_absolute_url())}"'
        f' aria-label="View {_escaped(str(record))}">'
        '<i class="bi bi-eye" aria-hidden="true"></i> View</a>'
    )


def edit_button(url: str, record) -> str:
    return SafeString(
        f'<a class="btn btn-sm btn-outline-primary" href="{_escaped(url)}"'
        f' aria-label="Edit {_escaped(str(record))}">'
        '<i class="bi bi-pencil" aria-hidden="true"></i> Edit</a>'
    )


def link(url: str, label) -> str:
    return SafeString(f'<a href="{_escaped(url)}">{_escaped(label)}</a>')


def row_menu(record, items: list[tuple[str, str, str]]) -> str:
    """The row's actions as one "⋯" button opening a Bootstrap dropdown: ``items`` are
    (label, url, icon). The button's accessible name names the record; the menu's position is
    fixed so the table's scrolling box does not clip it."""
    name = _escaped(str(record))
    links = "".join(
        f'<li><a class="dropdown-item" href="{_escaped(url)}">'
        f'<i class="bi bi-{_escaped(icon)} me-2" aria-hidden="true"></i>{_escaped(label)}</a></li>'
        for label, url, icon in items
    )
    return SafeString(
        '<div class="dropdown row-menu">'
        '<button class="btn btn-sm btn-link text-body-secondary px-2" type="button"'
        ' data-bs-toggle="dropdown" data-bs-popper-config=\'{"strategy":"fixed"}\''
        f' aria-expanded="false" aria-label="Actions for {name}">'
        '<i class="bi bi-three-dots" aria-hidden="true"></i></button>'
        f'<ul class="dropdown-menu dropdown-menu-end shadow-sm">{links}</ul></div>'
    )


class ConsoleTable(tables.Table):
    """Base for list tables: the record's name links to it; a "⋯" menu per row holds View,
    Edit (for roles that may edit) and what ``row_actions`` adds."""

    edit_url_name = ""
    actions = tables.Column(
        empty_values=(),
        verbose_name="Actions",
        orderable=False,
        exclude_from_export=True,
        attrs={"td": {"class": "text-end text-nowrap row-actions"}, "th": {"class": "text-end"}},
    )

    def __init__(self, *args, can_edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_edit = can_edit

    def row_actions(self, record) -> list[tuple[str, str, str]]:
        """(label, url, Bootstrap icon name) of the record's actions, in menu order."""
        items = [("View", record.get_absolute_url(), "eye")]
        if self.can_edit and self.edit_url_name and not getattr(record, "deleted_at", None):
            items.append(("Edit", self.edit_url(record), "pencil"))
        return items

    def render_actions(self, record):
        return row_menu(record, self.row_actions(record))

    def edit_url(self, record) -> str:
        """``reverse(edit_url_name, args=[record.pk])``, reversed once per table: the URL
        of a made-up id with the record's id put in its place."""
        if type(record.pk) is not int:
            return reverse(self.edit_url_name, args=[record.pk])
        try:
            prefix, suffix = self._edit_url_parts
        except AttributeError:
            url = reverse(self.edit_url_name, args=[_URL_ID_PLACEHOLDER])
            prefix, _, suffix = url.rpartition(str(_URL_ID_PLACEHOLDER))
            self._edit_url_parts = prefix, suffix
        return f"{prefix}{record.pk}{suffix}"


# --- Fast row rendering -------------------------------------------------------------------
# django-tables2 renders each cell through ``BoundRow.get_cell``: an ``inspect.signature`` of
# the render method, a choices lookup that rebuilds the field's choices dict (249 countries
# for a country column), exception-driven attribute lookups and a template variable per cell.
# A 50-row page spent 30-100 ms there. ``render_rows`` resolves each column once per table
# (what to read, whether it shows a choice's label, which arguments its render method takes,
# its ``td`` attributes) and then renders each cell with plain Python. The HTML is what
# django-tables2's bootstrap5 template prints, plus ``data-label="<header>"`` on every cell so
# a phone's stylesheet can stack a row's cells as a card.


def _choices_display(record_class, field):
    """A function giving ``get_<field>_display()`` with the choices dict built once; ``None``
    when the model defines its own ``get_<field>_display`` (then that one is called)."""
    name = f"get_{field.name}_display"
    for klass in record_class.__mro__:
        if name in klass.__dict__:
            method = klass.__dict__[name]
            if not (isinstance(method, partialmethod) and method.func is Model._get_FIELD_display):
                return None
            break
    choices = dict(make_hashable(field.flatchoices))
    attname = field.attname

    def display(record):
        # As Model._get_FIELD_display does it, with the dict made once per table.
        value = getattr(record, attname)
        return force_str(choices.get(make_hashable(value), value), strings_only=True)

    return display


def _resolve_simple(record, name):
    """``Accessor(name).resolve(record)`` for one attribute of a model instance."""
    value = getattr(record, name)
    if callable(value):
        if getattr(value, "alters_data", False):
            raise ValueError(f"Refusing to call {name}(): it alters data")
        if not getattr(value, "do_not_call_in_templates", False):
            value = value()
    return value


def _has_callables(attrs) -> bool:
    return any(callable(value) or _has_callables_in(value) for value in attrs.values())


def _has_callables_in(value) -> bool:
    return isinstance(value, dict) and _has_callables(value)


_NO_VALUE = object()
_DATE_TEMPLATE = re.compile(r'^\{\{ value\|date:"([^"]*)"\|default:default \}\}$')
_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


class _CellRenderer:
    """One column of one table, resolved once: its value, its rendering and its ``<td>``."""

    def __init__(self, table, bound_column, first_record):
        self.bound_column = bound_column
        self.column = column = bound_column.column
        self.accessor = A(bound_column.accessor)
        self.default = bound_column.default
        self.empty_values = column.empty_values
        self.link = bound_column.link
        self.localize = bound_column.localize
        self.is_many_to_many = isinstance(column, ManyToManyColumn)
        self.is_link_with_text = isinstance(column, BaseLinkColumn) and column.text is not None
        self.content = self._content_function(table, bound_column)
        raw = {**table.attrs, **column.attrs}
        self.dynamic_td = _has_callables(raw.get("td", raw.get("cell", {})))
        header = strip_tags(str(bound_column.header or ""))
        self.label = format_html(' data-label="{}"', " ".join(header.split()))
        self.td_open = "" if self.dynamic_td else self._td_open()
        # A plain attribute of a model instance (the usual case) is read with getattr; a
        # path across relations or a non-model record goes through django-tables2's Accessor.
        self.simple = (
            isinstance(first_record, Model)
            and Accessor.SEPARATOR not in self.accessor
            and "." not in self.accessor
            and self.accessor != ""
            and not hasattr(type(first_record), "__getitem__")
        )
        self.display = None
        if self.simple:
            try:
                field = type(first_record)._meta.get_field(self.accessor)
            except FieldDoesNotExist:
                field = None
            if field is not None and getattr(field, "choices", ()):
                self.display = _choices_display(type(first_record), field)
                if self.display is None:  # the model's own get_<field>_display
                    self.display = operator.methodcaller(f"get_{self.accessor}_display")

    def _content_function(self, table, bound_column):
        """``f(row, record, value)`` giving the cell's content as ``BoundRow._call_render``
        would: the render method called with exactly the arguments it names (its signature
        read once), then the column's link. A date column's template is applied directly; any
        other template column's template is compiled once instead of once per cell."""
        column = bound_column.column
        render = bound_column.render
        if (
            isinstance(column, TemplateColumn)
            and getattr(render, "__func__", None) is TemplateColumn.render
            and column.template_code
        ):
            render = self._template_render(table, bound_column)
        args, catch_all = signature(render)
        if self.link is None and not catch_all:
            if args == ("record",):
                return lambda row, record, value: render(record=record)
            if args == ("value",):
                return lambda row, record, value: render(value=value)
            if args == ("record", "value") or args == ("value", "record"):
                return lambda row, record, value: render(record=record, value=value)
        if not catch_all and not set(args) <= set(_ARGUMENTS):
            return lambda row, record, value: None  # as call_with_appropriate does
        link = self.link

        def content(row, record, value):
            available = dict(
                zip(_ARGUMENTS, (value, record, column, bound_column, row, table), strict=True)
            )
            result = render(
                **(available if catch_all else {name: available[name] for name in args})
            )
            return link(result, **available) if link else result

        return content

    def _template_render(self, table, bound_column):
        column = bound_column.column
        default = bound_column.default
        date_format = _DATE_TEMPLATE.match(column.template_code)
        if date_format and type(column).get_context_data is TemplateColumn.get_context_data:
            date_format = date_format.group(1)

            def render_date(value):  # {{ value|date:"..."|default:default }}
                value = template_localtime(value)  # the filter expects local time
                return conditional_escape(date_filter(value, date_format) or default)

            return render_date
        compiled = Template(column.template_code)

        def render_template(record, value, bound_row):
            parent_context = getattr(table, "context", None) or Context()
            context = column.get_context_data(
                record=record,
                table=table,
                value=value,
                bound_column=bound_column,
                bound_row=bound_row,
            )
            with parent_context.update(context):
                parent_context["request"] = getattr(table, "request", None)
                return compiled.render(parent_context)

        return render_template

    def _td_open(self) -> str:
        attrs = self.bound_column.attrs["td"].as_html()
        return f"<td {attrs}{self.label}>" if attrs else f"<td{self.label}>"

    def value(self, record):
        """The cell's value as ``BoundRow._get_and_render_with`` finds it; ``_NO_VALUE`` when
        the lookup failed for a link column with its own text."""
        if self.simple:
            if self.display is not None:
                return self.display(record)
            try:
                return _resolve_simple(record, self.accessor)
            except Exception:
                return _NO_VALUE if self.is_link_with_text else None
        value = None
        penultimate, remainder = self.accessor.penultimate(record)
        if isinstance(penultimate, Model):
            try:
                field = self.accessor.get_field(record)
                display_fn = getattr(penultimate, f"get_{remainder}_display", None)
                if getattr(field, "choices", ()) and display_fn:
                    value = display_fn()
                    remainder = None
            except FieldDoesNotExist:
                pass
        if remainder:
            try:
                value = self.accessor.resolve(record)
            except Exception:
                return _NO_VALUE if self.is_link_with_text else None
        return value

    def cell(self, row, record) -> str:
        value = self.value(record)
        if value is _NO_VALUE:
            content = self.content(row, record, None)
        elif value in self.empty_values or (self.is_many_to_many and not value.exists()):
            content = self.default
        else:
            content = self.content(row, record, value)
        if self.dynamic_td:
            self.bound_column.current_value = content
            self.bound_column.current_record = record
            return f"{self._td_open()}{self._as_text(content)}</td>"
        return f"{self.td_open}{self._as_text(content)}</td>"

    def _as_text(self, content) -> str:
        """What ``{{ cell }}`` (or ``|localize`` / ``|unlocalize``) prints in the template."""
        kind = type(content)
        if self.localize is None:
            if kind is SafeString:
                return content
            if kind is str:
                return SafeString(html_escape(content))  # django.utils.html.escape, unwrapped
            if kind is int and not settings.USE_THOUSAND_SEPARATOR:
                return str(content)  # what localize() makes of an int without grouping
        if self.localize is True:
            content = localize_filter(content)
        elif self.localize is False:
            content = unlocalize_filter(content)
        content = localize(template_localtime(content), use_l10n=None)
        if not issubclass(type(content), str):
            content = str(content)
        return conditional_escape(content)


def render_rows(table) -> str:
    """The ``<tr>`` rows of the table's current page (its ``paginated_rows``), safe HTML."""
    rows = table.paginated_rows
    pinned = getattr(rows, "pinned_data", None) or {}
    records = list(rows.data)
    if any(pinned.get(where) is not None for where in ("top", "bottom")) or not records:
        return None  # the template's own loop renders these (pinned rows, empty text)
    columns = list(table.columns)
    renderers = [_CellRenderer(table, column, records[0]) for column in columns]
    static_row_attrs = not table.row_attrs
    parts = []
    for record in records:
        row = BoundRow(record, table=table)
        row_attrs = (
            f'class="{row.get_even_odd_css_class()}"' if static_row_attrs else row.attrs.as_html()
        )
        parts.append(f"<tr {row_attrs}>")
        parts.extend([renderer.cell(row, record) for renderer in renderers])
        parts.append("</tr>")
    return mark_safe("".join(parts))  # every cell went through conditional_escape
