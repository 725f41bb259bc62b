import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.formats import amount_text, money_text, qty_text
from core.table_attrs import OPTIONAL
from core.tables import ACTION_COLUMN_ATTRS, ConsoleTable, badge, edit_button, link, view_button

from .models import Invoice, Payment, Plan, Project, Subscription, SubscriptionStatus, UsageRecord


class ProjectTable(ConsoleTable):
    edit_url_name = "billing:project_update"
    name = tables.Column(order_by=("name", "id"))
    customer = tables.Column(order_by=("customer_name", "name"))
    status = tables.Column(empty_values=(), orderable=False)
    start_date = tables.DateColumn(verbose_name="Start", attrs={"td": {"class": "text-nowrap"}})
    end_date = tables.DateColumn(
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
        return amount_text(value)

    def render_contract_value(self, value):
        return amount_text(value)

    def value_customer(self, record):
        return record.customer_name

    def value_status(self, record):
        return record.get_status_display()


def money_column(verbose_name: str, **kwargs) -> tables.Column:
    return tables.Column(
        verbose_name=verbose_name,
        attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}},
        **kwargs,
    )


class InvoiceTable(ConsoleTable):
    """Invoices in the console, or (``portal_company``) in that company's portal: no customer
    column and no links to the console there; the last column holds the invoice's PDF and,
    once something is paid, its receipt, from the portal's own download URLs. Which invoices
    (never drafts in the portal) is the view's queryset."""

    number = tables.Column(verbose_name="Number", order_by=("number", "pk"))
    customer = tables.Column(accessor="customer_name", order_by=("customer_name", "pk"))
    period_start = tables.DateColumn(
        format="YEAR_MONTH_FORMAT", verbose_name="Period", attrs=OPTIONAL
    )
    status = tables.Column()
    issue_date = tables.DateColumn(verbose_name="Issued", default="—", attrs=OPTIONAL)
    due_date = tables.DateColumn(verbose_name="Due", default="—", attrs=OPTIONAL)
    total = money_column("Total")
    balance = money_column("Balance", empty_values=(), orderable=False)

    class Meta:
        model = Invoice
        fields = (
            "number",
            "customer",
            "period_start",
            "status",
            "issue_date",
            "due_date",
            "total",
            "balance",
        )
        sequence = ("...", "actions")
        order_by = ("-period_start",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def __init__(self, *args, portal_company=None, exclude=None, **kwargs):
        self.portal_company = portal_company
        if portal_company is not None:  # the company's own invoices: whose goes without saying
            exclude = ("customer", *(exclude or ()))
            documents = tables.Column(
                empty_values=(),
                verbose_name=mark_safe('<span class="visually-hidden">Documents</span>'),
                orderable=False,
                exclude_from_export=True,
                attrs=ACTION_COLUMN_ATTRS,
            )
            kwargs["extra_columns"] = [("actions", documents)]
        super().__init__(*args, exclude=exclude, **kwargs)

    def render_actions(self, record):
        if self.portal_company is None:
            return view_button(record)
        pdf = format_html(
            '<a class="btn btn-sm btn-outline-secondary" href="{}" aria-label="View invoice {}">View'
            '</a> <a class="btn btn-sm btn-outline-secondary" href="{}" target="_blank"'
            ' rel="noopener" aria-label="Invoice {} (PDF)"><i class="bi bi-file-earmark-pdf"'
            ' aria-hidden="true"></i> Invoice</a>',
            reverse("portal:invoice_detail", args=[self.portal_company.pk, record.pk]),
            record.number,
            reverse("portal:invoice_pdf", args=[self.portal_company.pk, record.pk]),
            record.number,
        )
        # Only a recorded payment has a receipt (credit notes alone settle without one);
        # lists annotate has_payments (InvoiceQuerySet.with_receipt_flag), else it is asked.
        paid = getattr(record, "has_payments", None)
        if not (record.payments.exists() if paid is None else paid):
            return pdf
        receipt = format_html(
            '<a class="btn btn-sm btn-outline-secondary" href="{}" target="_blank" rel="noopener"'
            ' aria-label="Receipt for {} (PDF)"><i class="bi bi-receipt" aria-hidden="true">'
            "</i> Receipt</a>",
            reverse("portal:invoice_receipt", args=[self.portal_company.pk, record.pk]),
            record.number,
        )
        return format_html("{} {}", pdf, receipt)

    def render_number(self, record):
        if self.portal_company is not None:
            return format_html('<span class="fw-semibold">{}</span>', record.number)
        return link(record.get_absolute_url(), str(record.number or "Draft"))

    def render_customer(self, record):
        if record.customer_id is None:
            return record.customer_name
        return link(
            reverse("billing:customer_billing", args=[record.customer_id]), record.customer_name
        )

    def render_status(self, record):
        return badge(record.status_badge_class, record.get_status_display())

    def render_total(self, record):
        return money_text(record.total, record.currency)

    def render_balance(self, record):
        return money_text(record.balance, record.currency)

    def value_customer(self, record):
        return record.customer_name

    def value_status(self, record):
        return record.get_status_display()

    def value_balance(self, record):
        return record.balance

    def value_period_start(self, record):
        return record.period_start.isoformat()


class SubscriptionTable(ConsoleTable):
    customer = tables.Column(order_by=("customer__name", "pk"))
    plan = tables.Column(order_by=("plan__name", "pk"))
    seats = tables.Column(attrs={"td": {"class": "text-end"}})
    status = tables.Column()
    start_date = tables.DateColumn(verbose_name="Since", attrs=OPTIONAL)
    anchor_day = tables.Column(
        verbose_name="Anchor day",
        attrs={"th": {"class": "col-optional"}, "td": {"class": "text-end col-optional"}},
    )
    monthly = money_column("Monthly", empty_values=(), orderable=False)

    class Meta:
        model = Subscription
        fields = ("customer", "plan", "seats", "status", "start_date", "anchor_day", "monthly")
        sequence = ("...", "actions")
        order_by = ("customer",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def render_actions(self, record):
        return view_button(record)

    def render_customer(self, record):
        return link(record.get_absolute_url(), record.customer.name)

    def render_status(self, record):
        return badge(record.status_badge_class, record.get_status_display())

    def render_monthly(self, record):
        if record.status == SubscriptionStatus.CANCELLED:
            return "—"  # nothing is billed any more
        return amount_text(record.monthly_price)

    def value_customer(self, record):
        return record.customer.name

    def value_plan(self, record):
        return record.plan.name

    def value_status(self, record):
        return record.get_status_display()

    def value_monthly(self, record):
        return "" if record.status == SubscriptionStatus.CANCELLED else record.monthly_price


class PlanTable(ConsoleTable):
    edit_url_name = "billing:plan_update"
    name = tables.Column()
    monthly_fee = money_column("Monthly fee")
    seat_fee = money_column("Per seat")
    max_seats = tables.Column(verbose_name="Seat limit", default="—")
    subscribers = tables.Column(empty_values=(), orderable=False, verbose_name="Subscribers")
    is_active = tables.BooleanColumn(verbose_name="Offered", yesno=("Yes", "No"))

    class Meta:
        model = Plan
        fields = ("name", "monthly_fee", "seat_fee", "max_seats", "subscribers", "is_active")
        sequence = ("...", "actions")
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def render_actions(self, record):
        if not self.can_edit:
            return ""
        return edit_button(reverse(self.edit_url_name, args=[record.pk]), record)

    def render_name(self, record):
        if self.can_edit:
            return link(reverse("billing:plan_update", args=[record.pk]), record.name)
        return record.name

    def render_subscribers(self, record):
        return getattr(record, "subscriber_count", 0)

    def value_subscribers(self, record):
        return getattr(record, "subscriber_count", 0)


class UsageTable(ConsoleTable):
    day = tables.DateColumn()
    customer = tables.Column(order_by=("customer__name", "pk"))
    metric = tables.Column(order_by=("metric__name", "pk"))
    quantity = tables.Column(attrs={"td": {"class": "text-end"}})
    source = tables.Column(attrs=OPTIONAL)
    recorded_by = tables.Column(default="—", orderable=False, attrs=OPTIONAL)

    class Meta:
        model = UsageRecord
        fields = ("day", "customer", "metric", "quantity", "source", "recorded_by")
        exclude = ("actions",)
        order_by = ("-day",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def render_customer(self, record):
        return link(
            reverse("billing:customer_billing", args=[record.customer_id]), record.customer.name
        )

    def render_quantity(self, record):
        return f"{qty_text(record.quantity)} {record.metric.unit}"

    def value_customer(self, record):
        return record.customer.name

    def value_metric(self, record):
        return record.metric.name

    def value_quantity(self, record):
        return record.quantity

    def value_source(self, record):
        return record.get_source_display()

    def value_recorded_by(self, record):
        return record.recorded_by.email if record.recorded_by else ""


class PaymentTable(ConsoleTable):
    paid_on = tables.DateColumn(verbose_name="Date")
    invoice = tables.Column(order_by=("invoice__number", "pk"))
    customer = tables.Column(
        accessor="invoice__customer_name",
        verbose_name="Customer",
        order_by=("invoice__customer_name",),
    )
    method = tables.Column(attrs=OPTIONAL)
    reference = tables.Column(default="—", attrs=OPTIONAL)
    amount = money_column("Amount")

    class Meta:
        model = Payment
        fields = ("paid_on", "invoice", "customer", "method", "reference", "amount")
        exclude = ("actions",)
        order_by = ("-paid_on",)
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}

    def render_invoice(self, record):
        return link(record.invoice.get_absolute_url(), record.invoice.number)

    def render_amount(self, record):
        return money_text(record.amount, record.invoice.currency)

    def value_invoice(self, record):
        return record.invoice.number

    def value_customer(self, record):
        return record.invoice.customer_name

    def value_method(self, record):
        return record.get_method_display()
