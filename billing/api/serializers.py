from decimal import Decimal

from rest_framework import serializers

from billing import tax
from billing.forms import PROJECT_FIELDS
from billing.models import (
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Metric,
    Payment,
    Plan,
    Project,
    Subscription,
    UsageRecord,
)
from core.api.base import StrictSerializerMixin
from customers.models import Customer
from locations.models import Location


class ProjectSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    locations = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(), many=True, required=False
    )
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", *PROJECT_FIELDS, "status", "customer_name", "created_at", "updated_at"]
        read_only_fields = ["customer_name", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)
            self.fields["locations"].child_relation.queryset = Location.objects.visible_to(
                request.user
            )

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if self.instance is not None:
            start = start or self.instance.start_date
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": "The end date cannot be before the start date."}
            )
        return attrs


class CustomerScopedMixin:
    """The ``customer`` field only accepts customers the requesting user may see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "customer" in self.fields:
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)


class SubscriptionSerializer(
    CustomerScopedMixin, StrictSerializerMixin, serializers.ModelSerializer
):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.filter(is_active=True))
    monthly_price = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "customer",
            "plan",
            "seats",
            "start_date",
            "anchor_day",
            "trial_end",
            "status",
            "cancelled_on",
            "monthly_price",
            "created_at",
        ]
        read_only_fields = ["status", "cancelled_on", "created_at"]


class UsageRecordSerializer(
    CustomerScopedMixin, StrictSerializerMixin, serializers.ModelSerializer
):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    metric = serializers.SlugRelatedField(slug_field="code", queryset=Metric.objects.all())
    quantity = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=Decimal("0"))

    class Meta:
        model = UsageRecord
        fields = ["id", "customer", "metric", "day", "quantity", "source", "created_at"]
        read_only_fields = ["source", "created_at"]
        validators = []  # the service replaces a day's record instead of refusing it


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "kind",
            "sub_account",
            "sub_account_name",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "breakdown",
            "tax_name",
            "tax_rate",
            "tax_amount",
        ]


class InvoiceSerializer(serializers.ModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    tax_lines = serializers.SerializerMethodField(
        help_text="Per tax (name, rate): the taxed base and the tax, the sum of its lines' "
        "tax (each line rounded half up to the currency's minor unit)."
    )

    def get_tax_lines(self, invoice) -> list[dict]:
        return [
            {
                "name": line.name,
                "rate": f"{line.rate:f}",
                "base": f"{line.base:f}",
                "amount": f"{line.amount:f}",
            }
            for line in tax.summary(invoice.lines.all())
        ]

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "period_start",
            "period_end",
            "status",
            "issue_date",
            "due_date",
            "currency",
            "subtotal",
            "tax_rate",
            "tax",
            "tax_lines",
            "tax_treatment",
            "customer_tax_id",
            "seller",
            "billing_address",
            "total",
            "amount_paid",
            "balance",
            "paid_on",
            "lines",
        ]
        read_only_fields = fields


class PaymentSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.none())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(
        max_length=3,
        required=False,
        write_only=True,
        help_text="The payment's currency; one other than the invoice's is refused. What is "
        "paid above the balance is kept as the customer's credit.",
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "amount",
            "currency",
            "method",
            "paid_on",
            "reference",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        validators = []  # the service reports a repeated reference clearly

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["invoice"].queryset = Invoice.objects.visible_to(request.user)


class CreditNoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditNoteLine
        fields = [
            "invoice_line",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "tax_name",
            "tax_rate",
            "tax_amount",
        ]
        read_only_fields = fields


class CreditLineInputSerializer(StrictSerializerMixin, serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=Decimal("0.001"))


class CreditNoteSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A credit note against an issued invoice. To create one, send the ``invoice``, a
    ``reason`` and one of: ``amount`` (tax included), ``invoice_lines`` (invoice line ids and
    quantities) or ``full: true`` (everything still due)."""

    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.none())
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        write_only=True,
    )
    invoice_lines = CreditLineInputSerializer(many=True, required=False, write_only=True)
    full = serializers.BooleanField(required=False, default=False, write_only=True)
    lines = CreditNoteLineSerializer(many=True, read_only=True)
    tax_lines = serializers.SerializerMethodField()

    def get_tax_lines(self, note) -> list[dict]:
        return [
            {
                "name": line.name,
                "rate": f"{line.rate:f}",
                "base": f"{line.base:f}",
                "amount": f"{line.amount:f}",
            }
            for line in tax.summary(note.lines.all())
        ]

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice",
            "customer",
            "customer_name",
            "issue_date",
            "reason",
            "currency",
            "subtotal",
            "tax",
            "tax_lines",
            "total",
            "lines",
            "amount",
            "invoice_lines",
            "full",
            "created_at",
        ]
        read_only_fields = [
            "number",
            "customer",
            "customer_name",
            "issue_date",
            "currency",
            "subtotal",
            "tax",
            "total",
            "created_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["invoice"].queryset = Invoice.objects.visible_to(request.user)
