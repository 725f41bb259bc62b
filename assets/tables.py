import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.table_attrs import OPTIONAL
from core.tables import (
    ARCHIVED_BADGE,
    ConsoleTable,
    badge,
    link,
)
from fields.tables import CustomColumnsTableMixin

from .models import Asset

ELSEWHERE_BADGE = mark_safe(
    ' <span class="badge text-bg-info" title="Sits at a site that is not its owner\'s">hosted</span>'
)


PORTAL_SEQUENCE = (
    "name",
    "serial_number",
    "model_name",
    "category",
    "status",
    "location",
    "owner",
    "...",
)


class AssetTable(CustomColumnsTableMixin, ConsoleTable):
    custom_field_kind = "asset"
    """Assets in the console, or (``portal_company``) in that company's portal: no links to
    the console there, no other customers' names, and what the console calls "Us" is "Your
    provider"."""

    edit_url_name = "assets:asset_update"
    selection = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {"aria-label": "Select all", "data-select-all": "asset_ids"},
            "td__input": {"name": "asset_ids", "aria-label": "Select"},
        },
        exclude_from_export=True,
    )
    name = tables.Column(verbose_name="Name / tag", order_by=("name", "id"))
    serial_number = tables.Column(verbose_name="Serial", default="—", attrs=OPTIONAL)
    model_name = tables.Column(verbose_name="Model", default="—", attrs=OPTIONAL)
    category = tables.Column(attrs=OPTIONAL)
    status = tables.Column()
    owner = tables.Column(verbose_name="Owner", order_by=("owner__name", "name"), empty_values=())
    location = tables.Column(
        verbose_name="Location", order_by=("location__name", "name"), empty_values=()
    )

    class Meta:
        model = Asset
        fields = ("name", "serial_number", "model_name", "category", "status", "owner", "location")
        sequence = (
            "selection",
            "name",
            "serial_number",
            "model_name",
            "category",
            "status",
            "owner",
            "location",
            "actions",
        )
        order_by = ("name",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def __init__(self, *args, can_edit: bool = False, portal_company=None, **kwargs):
        self.portal_company = portal_company
        if portal_company is not None:  # the portal says where before whose
            kwargs.setdefault("sequence", PORTAL_SEQUENCE)
            where = tables.Column(
                verbose_name="Where", order_by=("location__name", "name"), empty_values=()
            )
            kwargs["extra_columns"] = [("location", where)]
        super().__init__(*args, can_edit=can_edit, **kwargs)
        if not can_edit:
            self.columns.hide("selection")

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

    def render_status(self, record):
        return badge(record.status_badge_class, record.get_status_display())

    def render_serial_number(self, value):
        return format_html("<code>{}</code>", value) if self.portal_company else value

    def render_owner(self, record):
        if self.portal_company is not None or not record.owner_id:
            return self.value_owner(record)
        return link(record.owner.get_absolute_url(), record.owner.name)

    def render_location(self, record):
        if self.portal_company is not None:
            return self.value_location(record)
        if not record.location_id:
            return "—"
        location = record.location
        return format_html(
            '{} <small class="text-body-secondary">({})</small>{}',
            link(location.get_absolute_url(), location.name),
            location.customer.name,
            ELSEWHERE_BADGE if record.owner_id != location.customer_id else "",
        )

    def value_owner(self, record):
        if record.owner_id:
            return record.owner.name
        return "Us" if self.portal_company is None else "Your provider"

    def value_location(self, record):
        if self.portal_company is not None:
            return record.location.name if record.location_id else "With your provider"
        return (
            f"{record.location.name} ({record.location.customer.name})"
            if record.location_id
            else ""
        )

    def value_status(self, record):
        return record.get_status_display()
