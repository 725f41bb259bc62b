"""The custom fields and tags as columns of a list table: plain django-tables2 columns made
per table from the tenant's definitions (one query), so a column chooser offers them. A
field shows by default when its definition says "show in list"; tags always. Cells are
rendered in Python; exports read ``value_<column>`` (the cell text an import reads back)."""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import prefetch_related_objects
from django.utils.html import format_html_join

from core.table_attrs import OPTIONAL

from .models import CustomField
from .values import cell_text, definitions_for, display

TAGS_COLUMN = "tags"


class CustomFieldColumn(tables.Column):
    def __init__(self, definition: CustomField):
        self.definition = definition
        super().__init__(
            accessor="custom_field_data",
            verbose_name=definition.label,
            orderable=False,
            empty_values=(),
            visible=definition.show_in_list,
            attrs=OPTIONAL,
        )

    def render(self, record):
        value = (record.custom_field_data or {}).get(self.definition.key)
        return display(self.definition, value) or "—"


class TagsColumn(tables.Column):
    def __init__(self):
        # Offered by the column chooser; the record's page shows its tags.
        super().__init__(
            accessor="pk",
            verbose_name="Tags",
            orderable=False,
            empty_values=(),
            visible=False,
            attrs=OPTIONAL,
        )

    def render(self, record, table):
        if "tags" not in getattr(record, "_prefetched_objects_cache", {}):
            # Not loaded with the page (a table outside a filtered list): the whole page's
            # tags in one query, the first time a row asks.
            page = getattr(table, "page", None)
            records = [row.record for row in page.object_list] if page else [record]
            prefetch_related_objects([r for r in records if r is not None], "tags")
        tags = record.tags.all()
        return format_html_join(
            " ",
            '<span class="badge tag-badge" style="{}">{}</span>',
            ((tag.badge_style, tag.name) for tag in tags),
        )


def custom_columns(kind: str) -> list[tuple[str, tables.Column]]:
    """``extra_columns`` for a table of ``kind`` records: each field as ``cf_<key>``, then
    the tags."""
    columns: list[tuple[str, tables.Column]] = [
        (definition.column_name, CustomFieldColumn(definition))
        for definition in definitions_for(kind)
    ]
    columns.append((TAGS_COLUMN, TagsColumn()))
    return columns


def add_export_values(table) -> None:
    """What an export writes for these columns: the cell text an import reads back."""
    for name, bound in table.columns.columns.items():
        column = bound.column
        if isinstance(column, CustomFieldColumn):
            definition = column.definition
            setattr(
                table,
                f"value_{name}",
                lambda record, d=definition: cell_text(
                    d, (record.custom_field_data or {}).get(d.key)
                ),
            )
        elif isinstance(column, TagsColumn):
            setattr(
                table,
                f"value_{name}",
                lambda record: "; ".join(tag.name for tag in record.tags.all()),
            )


class CustomColumnsTableMixin:
    """For a ConsoleTable: appends the custom columns of ``custom_field_kind``."""

    custom_field_kind = ""

    def __init__(self, *args, **kwargs):
        extra = list(kwargs.pop("extra_columns", None) or [])
        kwargs["extra_columns"] = extra + custom_columns(self.custom_field_kind)
        super().__init__(*args, **kwargs)
        add_export_values(self)
