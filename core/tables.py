"""Cell helpers for django-tables2 tables: rendered in Python, escaped by format_html."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

ARCHIVED_BADGE = mark_safe(' <span class="badge text-bg-secondary">Archived</span>')
DELETED_BADGE = mark_safe(' <span class="badge text-bg-dark">Deleted</span>')
ACTION_COLUMN_ATTRS = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


def badge(css: str, label: str) -> str:
    return format_html('<span class="badge {}">{}</span>', css, label)


def view_button(record) -> str:
    return format_html(
        '<a class="btn btn-sm btn-outline-secondary" href="{}" aria-label="View {}">'
        '<i class="bi bi-eye" aria-hidden="true"></i> View</a>',
        record.get_absolute_url(),
        str(record),
    )


def edit_button(url: str, record) -> str:
    return format_html(
        '<a class="btn btn-sm btn-outline-primary" href="{}" aria-label="Edit {}">'
        '<i class="bi bi-pencil" aria-hidden="true"></i> Edit</a>',
        url,
        str(record),
    )


def link(url: str, label) -> str:
    return format_html('<a href="{}">{}</a>', url, label)


class ConsoleTable(tables.Table):
    """Base for list tables: View/Edit actions (Edit only for roles that may edit)."""

    edit_url_name = ""
    actions = tables.Column(
        empty_values=(),
        verbose_name="Actions",
        orderable=False,
        exclude_from_export=True,
        attrs=ACTION_COLUMN_ATTRS,
    )

    def __init__(self, *args, can_edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_edit = can_edit

    def render_actions(self, record):
        if not self.can_edit or getattr(record, "deleted_at", None):
            return view_button(record)
        return format_html(
            "{} {}",
            view_button(record),
            edit_button(reverse(self.edit_url_name, args=[record.pk]), record),
        )
