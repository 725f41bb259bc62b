import django_tables2 as tables
from django.utils.html import format_html

from core.table_attrs import OPTIONAL  # a phone shows name, type, status and the counts
from core.tables import ARCHIVED_BADGE, DELETED_BADGE, ConsoleTable, badge
from fields.tables import CustomColumnsTableMixin

from .models import Customer
from .querysets import COUNT_COLUMNS


class CustomerTable(CustomColumnsTableMixin, ConsoleTable):
    custom_field_kind = "customer"
    edit_url_name = "customers:customer_update"
    """Cells are rendered in Python (format_html escapes), not with per-cell templates: a page
    of 100 rows stays cheap."""

    name = tables.Column(verbose_name="Customer Name", order_by=("name", "id"))
    industry = tables.Column(default="—", attrs=OPTIONAL)
    business_type = tables.Column(verbose_name="Business Type")
    website = tables.Column(default="—", attrs=OPTIONAL)
    status = tables.Column()

    class Meta:
        model = Customer
        fields = ("name", "industry", "business_type", "website", "status")
        sequence = (
            "name",
            "industry",
            "business_type",
            "website",
            "status",
            "...",  # the count columns other apps register (customers.querysets)
            "actions",
        )
        order_by = ("name",)
        # Record links open whole pages; only sorting and paging stay inside #results.
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}
        empty_text = "No customers match."

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "extra_columns",
            [
                (
                    column.name,
                    tables.Column(
                        verbose_name=column.label,
                        orderable=False,
                        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
                    ),
                )
                for column in COUNT_COLUMNS
            ],
        )
        super().__init__(*args, **kwargs)

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
        return badge(record.status_badge_class, record.get_status_display())

    def value_name(self, record):
        return record.name

    def value_website(self, record):
        return record.website

    def value_status(self, record):
        return record.get_status_display()
