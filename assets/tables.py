import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.tables import (
    ARCHIVED_BADGE,
    ConsoleTable,
    badge,
    link,
)

from .models import Asset

ELSEWHERE_BADGE = mark_safe(
    ' <span class="badge text-bg-info" title="Sits at a site that is not its owner\'s">hosted</span>'
)


class AssetTable(ConsoleTable):
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
    serial_number = tables.Column(verbose_name="Serial", default="—")
    model_name = tables.Column(verbose_name="Model", default="—")
    category = tables.Column()
    status = tables.Column()
    owner = tables.Column(verbose_name="Owner", order_by=("owner__name", "name"), default="Us")
    location = tables.Column(
        verbose_name="Location", order_by=("location__name", "name"), default="—"
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

    def __init__(self, *args, can_edit: bool = False, **kwargs):
        super().__init__(*args, can_edit=can_edit, **kwargs)
        if not can_edit:
            self.columns.hide("selection")

    def render_name(self, record):
        return format_html(
            '<a href="{}" class="fw-semibold">{}</a>{}',
            record.get_absolute_url(),
            record.name,
            ARCHIVED_BADGE if record.is_archived else "",
        )

    def render_status(self, record):
        return badge(record.status_badge_class, record.get_status_display())

    def render_owner(self, record):
        return link(record.owner.get_absolute_url(), record.owner.name)

    def render_location(self, record):
        location = record.location
        return format_html(
            '{} <small class="text-body-secondary">({})</small>{}',
            link(location.get_absolute_url(), location.name),
            location.customer.name,
            ELSEWHERE_BADGE if record.owner_id != location.customer_id else "",
        )

    def value_owner(self, record):
        return record.owner.name if record.owner_id else "Us"

    def value_location(self, record):
        return (
            f"{record.location.name} ({record.location.customer.name})"
            if record.location_id
            else ""
        )

    def value_status(self, record):
        return record.get_status_display()
