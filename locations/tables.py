import django_tables2 as tables
from django.utils.html import format_html

from core.tables import ARCHIVED_BADGE, ConsoleTable, badge

from .models import Location


class LocationTable(ConsoleTable):
    edit_url_name = "locations:location_update"
    name = tables.Column(order_by=("name", "id"))
    customer = tables.Column(order_by=("customer__name", "name"))
    location_type = tables.Column(verbose_name="Type")
    status = tables.Column()
    city = tables.Column(default="—")
    country = tables.Column(default="—")

    class Meta:
        model = Location
        fields = ("name", "customer", "location_type", "status", "city", "country")
        sequence = ("...", "actions")
        order_by = ("name",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def render_name(self, record):
        return format_html(
            '<a href="{}" class="fw-semibold">{}</a>{}',
            record.get_absolute_url(),
            record.name,
            ARCHIVED_BADGE if record.is_archived else "",
        )

    def render_customer(self, record):
        return format_html(
            '<a href="{}">{}</a>', record.customer.get_absolute_url(), record.customer.name
        )

    def render_status(self, record):
        return badge(record.status_badge_class, record.get_status_display())

    def render_country(self, record):
        return record.country.name

    def value_name(self, record):
        return record.name

    def value_customer(self, record):
        return record.customer.name

    def value_status(self, record):
        return record.get_status_display()
