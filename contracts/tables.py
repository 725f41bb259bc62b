import django_tables2 as tables
from django.utils import timezone

from core.formats import amount_text
from core.table_attrs import OPTIONAL
from core.tables import ConsoleTable, badge, link

from .models import STATE_BADGES, Contract


class ContractTable(ConsoleTable):
    edit_url_name = "contracts:contract_update"
    name = tables.Column(order_by=("name", "id"))
    customer = tables.Column(order_by=("customer__name", "id"))
    kind = tables.Column(verbose_name="Type")
    state = tables.Column(empty_values=(), orderable=False)
    start_date = tables.DateColumn(verbose_name="Start", attrs={"td": {"class": "text-nowrap"}})
    end_date = tables.DateColumn(
        verbose_name="End", default="open-ended", attrs={"td": {"class": "text-nowrap"}}
    )
    auto_renew = tables.BooleanColumn(verbose_name="Renews", yesno=("Yes", "No"), attrs=OPTIONAL)
    value = tables.Column(
        verbose_name="Value",
        attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}},
    )

    class Meta:
        model = Contract
        fields = ("name", "customer", "kind", "state", "start_date", "end_date", "auto_renew")
        sequence = ("...", "value", "actions")
        order_by = ("-start_date",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_name(self, record):
        return link(record.get_absolute_url(), f"{record.reference} {record.name}")

    def render_customer(self, record):
        return link(record.customer.get_absolute_url(), record.customer.name)

    def render_kind(self, record):
        return record.get_kind_display()

    def render_state(self, record):
        state = record.state(self.today)
        return badge(STATE_BADGES[state], state.label)

    def render_value(self, value):
        return amount_text(value)

    def value_customer(self, record):
        return record.customer.name

    def value_state(self, record):
        return record.state(self.today).label
