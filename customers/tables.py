import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import Customer

ARCHIVED_BADGE = mark_safe(' <span class="badge text-bg-secondary">Archived</span>')
DELETED_BADGE = mark_safe(' <span class="badge text-bg-dark">Deleted</span>')


class CustomerTable(tables.Table):
    """Cells are rendered in Python (format_html escapes), not with per-cell templates: a page
    of 100 rows stays cheap."""

    name = tables.Column(verbose_name="Customer Name", order_by=("name", "id"))
    industry = tables.Column(default="—")
    business_type = tables.Column(verbose_name="Business Type")
    website = tables.Column(default="—")
    status = tables.Column()
    actions = tables.Column(
        empty_values=(),
        verbose_name="Actions",
        orderable=False,
        exclude_from_export=True,
        attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}},
    )

    class Meta:
        model = Customer
        fields = ("name", "industry", "business_type", "website", "status")
        sequence = ("name", "industry", "business_type", "website", "status", "actions")
        order_by = ("name",)
        # Record links open whole pages; only sorting and paging stay inside #results.
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}
        empty_text = "No customers match."

    def __init__(self, *args, can_edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_edit = can_edit

    def render_name(self, record):
        return format_html(
            '<a href="{}" class="fw-semibold">{}</a>{}{}',
            record.get_absolute_url(),
            record.name,
            ARCHIVED_BADGE if record.is_archived else "",
            DELETED_BADGE if record.deleted_at else "",
        )

    def render_website(self, record):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer nofollow">{} '
            '<i class="bi bi-box-arrow-up-right small" aria-hidden="true"></i>'
            '<span class="visually-hidden"> (opens in a new tab)</span></a>',
            record.website,
            record.website_host,
        )

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            record.status_badge_class,
            record.get_status_display(),
        )

    def render_actions(self, record):
        view = format_html(
            '<a class="btn btn-sm btn-outline-secondary" href="{}" aria-label="View {}">'
            '<i class="bi bi-eye" aria-hidden="true"></i> View</a>',
            record.get_absolute_url(),
            record.name,
        )
        if not self.can_edit or record.deleted_at:
            return view
        return format_html(
            '{} <a class="btn btn-sm btn-outline-primary" href="{}" aria-label="Edit {}">'
            '<i class="bi bi-pencil" aria-hidden="true"></i> Edit</a>',
            view,
            reverse("customers:customer_update", args=[record.pk]),
            record.name,
        )

    def value_name(self, record):
        return record.name

    def value_website(self, record):
        return record.website

    def value_status(self, record):
        return record.get_status_display()
