import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.table_attrs import OPTIONAL
from core.tables import ARCHIVED_BADGE, ConsoleTable, badge, edit_button
from fields.tables import CustomColumnsTableMixin

from .models import Location


class LocationTable(CustomColumnsTableMixin, ConsoleTable):
    custom_field_kind = "location"
    """Locations in the console, or (``portal_company``) in that company's portal: no links
    to the console there, and Edit opens the portal's form. The address is the portal's
    column; the console leaves it out unless told otherwise (``exclude=``)."""

    edit_url_name = "locations:location_update"
    name = tables.Column(order_by=("name", "id"))
    customer = tables.Column(order_by=("customer__name", "name"))
    location_type = tables.Column(verbose_name="Type", attrs=OPTIONAL)
    status = tables.Column()
    city = tables.Column(default="—", attrs=OPTIONAL)
    country = tables.Column(default="—", attrs=OPTIONAL)
    address = tables.Column(
        empty_values=(),
        orderable=False,
        attrs={"th": {"class": "col-optional"}, "td": {"class": "small col-optional"}},
    )

    class Meta:
        model = Location
        fields = ("name", "customer", "location_type", "status", "city", "country")
        sequence = ("...", "actions")
        order_by = ("name",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def __init__(self, *args, portal_company=None, exclude=None, **kwargs):
        self.portal_company = portal_company
        super().__init__(*args, exclude=("address",) if exclude is None else exclude, **kwargs)

    def render_name(self, record):
        if self.portal_company is not None:
            return format_html(
                '<span class="fw-semibold">{}</span>{}',
                record.name,
                ARCHIVED_BADGE if record.is_archived else "",
            )
        return format_html(
            '<a href="{}" class="fw-semibold">{}</a>{}',
            record.get_absolute_url(),
            record.name,
            ARCHIVED_BADGE if record.is_archived else "",
        )

    def render_actions(self, record):
        if self.portal_company is None:
            return super().render_actions(record)
        if not self.can_edit:
            return ""
        url = reverse("portal:location_edit", args=[self.portal_company.pk, record.pk])
        return edit_button(url, record)

    def render_address(self, record):
        return self.value_address(record)

    def value_address(self, record):
        return " ".join(
            part for part in (record.address_line1, record.postal_code, record.city) if part
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
