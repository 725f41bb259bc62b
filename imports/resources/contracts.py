"""The contracts import: a row finds its contract by customer and name, and passes the
same rules as the contract form (contracts.services.check_terms)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields

from contracts.models import BillingFrequency, Contract, ContractKind
from contracts.services import check_terms

from ..engine import CustomerIndex, ImportResource, any_of, text_field
from ..widgets import (
    ChoiceWidget,
    Column,
    CountWidget,
    DateWidget,
    MoneyWidget,
    YesNoWidget,
    _choices,
    as_text,
)

DATE = "YYYY-MM-DD"
CONTRACT_COLUMNS = [
    Column(
        "customer",
        "Customer",
        True,
        "The customer's external ID or exact name",
        "Rows are matched to existing contracts by customer and name.",
        example="CRM-1001",
    ),
    Column("name", "Contract name", True, "Text, up to 200 characters", example="Support 2027"),
    Column("kind", "Type", True, _choices(ContractKind), example="Block of hours"),
    Column("start_date", "Start", True, DATE, example="2027-01-01"),
    Column("end_date", "End", allowed=f"{DATE}; empty: open-ended", example="2027-12-31"),
    Column("auto_renew", "Renews automatically", allowed="yes or no", example="yes"),
    Column("renewal_months", "Renewal period (months)", allowed="Whole number", example="12"),
    Column("notice_days", "Notice period (days)", allowed="Whole number", example="60"),
    Column("reminder_days", "Remind (days before notice)", allowed="Whole number", example="30"),
    Column("value", "Contract value", allowed="A number, e.g. 12000.00", example="12000.00"),
    Column(
        "billing_frequency",
        "Billing frequency",
        allowed=_choices(BillingFrequency),
        example="Monthly",
    ),
    Column("hours_included", "Hours included", allowed="Block of hours: a number", example="40"),
    Column("overage_rate", "Overage rate per hour", allowed="A number", example="95.00"),
    Column("notes", "Special agreements"),
]


class ContractResource(ImportResource):
    webhook_prefix = "contract"
    key_label = "customer and name"
    resolved_fields = frozenset({"customer"})
    fixed_attributes = frozenset({"customer_id"})
    columns = CONTRACT_COLUMNS

    name = text_field("name")
    kind = text_field("kind", ChoiceWidget(ContractKind))
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=DateWidget())
    end_date = fields.Field(
        attribute="end_date", column_name="end_date", widget=DateWidget(), saves_null_values=True
    )
    auto_renew = fields.Field(
        attribute="auto_renew", column_name="auto_renew", widget=YesNoWidget()
    )
    renewal_months = fields.Field(
        attribute="renewal_months", column_name="renewal_months", widget=CountWidget()
    )
    notice_days = fields.Field(
        attribute="notice_days", column_name="notice_days", widget=CountWidget()
    )
    reminder_days = fields.Field(
        attribute="reminder_days", column_name="reminder_days", widget=CountWidget()
    )
    value = fields.Field(attribute="value", column_name="value", widget=MoneyWidget())
    billing_frequency = text_field("billing_frequency", ChoiceWidget(BillingFrequency))
    hours_included = fields.Field(
        attribute="hours_included",
        column_name="hours_included",
        widget=MoneyWidget(),
        saves_null_values=True,
    )
    overage_rate = fields.Field(
        attribute="overage_rate",
        column_name="overage_rate",
        widget=MoneyWidget(),
        saves_null_values=True,
    )
    notes = text_field("notes")
    customer = fields.Field(attribute="customer_id", column_name="customer", readonly=True)

    class Meta(ImportResource.Meta):
        model = Contract
        fields = [column.name for column in CONTRACT_COLUMNS]

    def preload(self, rows) -> None:
        self.index = CustomerIndex(self.reach)

    def load(self, rows: list[dict]) -> None:
        customer_ids = set()
        for row in rows:
            try:
                customer_ids.add(self.index.refer(row.get("customer")).pk)
            except ValueError:
                continue
        queryset = (
            Contract.objects.filter(customer_id__in=any_of(customer_ids)) if customer_ids else []
        )
        if customer_ids and self.lock:
            queryset = queryset.select_for_update()
        self.existing = {
            (contract.customer_id, contract.name.strip().lower()): contract for contract in queryset
        }

    def find(self, row):
        try:
            customer = self.index.refer(row.get("customer"))
        except ValueError as error:
            raise ValidationError({"customer": str(error)}) from None
        row["_customer_id"] = customer.pk
        name = as_text(row.get("name")).lower()
        self.remember((customer.pk, name), "customer and contract name")
        return self.existing.get((customer.pk, name))

    def record_label(self, row: dict) -> str:
        return f"{as_text(row.get('name'))} ({as_text(row.get('customer'))})"

    def init_instance(self, row=None):
        return Contract(customer_id=row["_customer_id"])

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if field.column_name != "customer"]

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not errors:
            try:
                check_terms(instance)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        instance.updated_at = self.now  # contracts keep no search fields
