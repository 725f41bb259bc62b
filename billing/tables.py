import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma

from core.tables import ConsoleTable, badge, link

from .models import Project


class ProjectTable(ConsoleTable):
    edit_url_name = "billing:project_update"
    name = tables.Column(order_by=("name", "id"))
    customer = tables.Column(order_by=("customer_name", "name"))
    status = tables.Column(empty_values=(), orderable=False)
    start_date = tables.DateColumn(
        format="Y-m-d", verbose_name="Start", attrs={"td": {"class": "text-nowrap"}}
    )
    end_date = tables.DateColumn(
        format="Y-m-d",
        verbose_name="End",
        default="open-ended",
        attrs={"td": {"class": "text-nowrap"}},
    )
    monthly_fee = tables.Column(verbose_name="Monthly fee", attrs={"td": {"class": "text-end"}})
    contract_value = tables.Column(
        verbose_name="Contract value", attrs={"td": {"class": "text-end"}}
    )

    class Meta:
        model = Project
        fields = (
            "name",
            "customer",
            "status",
            "start_date",
            "end_date",
            "monthly_fee",
            "contract_value",
        )
        sequence = ("...", "actions")
        order_by = ("-start_date",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def render_name(self, record):
        return link(record.get_absolute_url(), record.name)

    def render_customer(self, record):
        return link(record.customer.get_absolute_url(), record.customer.name)

    def render_status(self, record):
        return badge(record.status_badge_class, record.get_status_display())

    def render_monthly_fee(self, value):
        return intcomma(value)

    def render_contract_value(self, value):
        return intcomma(value)

    def value_customer(self, record):
        return record.customer_name

    def value_status(self, record):
        return record.get_status_display()
