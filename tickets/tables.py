from __future__ import annotations

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import naturaltime

from core.tables import ConsoleTable, badge, link

from .models import Ticket


class TicketTable(ConsoleTable):
    reference = tables.Column(verbose_name="#", order_by=("id",), accessor="pk")
    subject = tables.Column(order_by=("subject", "id"))
    customer = tables.Column(verbose_name="Company", order_by=("customer__name", "id"))
    status = tables.Column(order_by=("status", "-last_activity_at"))
    priority = tables.Column(order_by=("priority", "-last_activity_at"))
    assignee = tables.Column(order_by=("assignee__first_name", "assignee__email"), default="—")
    last_activity_at = tables.Column(
        verbose_name="Last activity", attrs={"td": {"class": "text-nowrap"}}
    )

    class Meta:
        model = Ticket
        fields = (
            "reference",
            "subject",
            "customer",
            "status",
            "priority",
            "assignee",
            "last_activity_at",
        )
        sequence = ("...", "actions")
        order_by = ("-last_activity_at",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def render_reference(self, record):
        return link(record.get_absolute_url(), record.reference)

    def value_reference(self, record):
        return record.reference

    def render_subject(self, record):
        return link(record.get_absolute_url(), record.subject)

    def render_customer(self, record):
        return link(record.customer.get_absolute_url(), record.customer.name)

    def value_customer(self, record):
        return record.customer.name

    def render_status(self, record):
        return badge(record.status_badge_class, record.get_status_display())

    def render_priority(self, record):
        return badge(record.priority_badge_class, record.get_priority_display())

    def render_assignee(self, record):
        return str(record.assignee) if record.assignee_id else "—"

    def render_last_activity_at(self, value):
        return naturaltime(value)

    def value_last_activity_at(self, record):
        return record.last_activity_at.isoformat()
