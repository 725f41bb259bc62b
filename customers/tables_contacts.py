"""The contacts table: the tenant-wide list, its export and the customer's Contacts tab."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from core.tables import ARCHIVED_BADGE, ConsoleTable
from fields.tables import CustomColumnsTableMixin

from .models_contacts import Contact


class ContactTable(CustomColumnsTableMixin, ConsoleTable):
    custom_field_kind = "contact"
    edit_url_name = "customers:contact_update"
    name = tables.Column(order_by=("name", "id"))
    customer = tables.Column(order_by=("customer__name", "name"))
    roles = tables.Column(empty_values=(), orderable=False)
    email = tables.Column(default="—")
    phone = tables.Column(empty_values=(), orderable=False)
    preferred_channel = tables.Column(verbose_name="Channel")

    class Meta:
        model = Contact
        fields = ("name", "customer", "roles", "email", "phone", "preferred_channel")
        sequence = ("...", "actions")
        order_by = ("name",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def render_name(self, record):
        title = format_html('<div class="small text-body-secondary">{}</div>', record.title)
        return format_html(
            '<a href="{}" class="fw-semibold">{}</a>{}{}',
            record.get_absolute_url(),
            record.name,
            ARCHIVED_BADGE if record.is_archived else "",
            title if record.title else "",
        )

    def render_customer(self, record):
        return format_html(
            '<a href="{}">{}</a>', record.customer.get_absolute_url(), record.customer.name
        )

    def render_roles(self, record):
        return format_html_join(
            " ",
            '<span class="badge {}">{}</span>',
            ((role.badge_class, role.name) for role in record.roles.all()),
        )

    def render_email(self, record):
        return format_html('<a href="mailto:{0}">{0}</a>', record.email)

    def render_phone(self, record):
        numbers = [str(n) for n in (record.phone, record.mobile) if n]
        return format_html_join(
            " ", '<a href="tel:{0}" class="text-nowrap">{0}</a>', ((n,) for n in numbers)
        )

    def value_name(self, record):
        return record.name

    def value_customer(self, record):
        return record.customer.name

    def value_roles(self, record):
        return ", ".join(role.name for role in record.roles.all())

    def value_email(self, record):
        return ", ".join(record.emails)

    def value_phone(self, record):
        return ", ".join(str(n) for n in (record.phone, record.mobile) if n)
