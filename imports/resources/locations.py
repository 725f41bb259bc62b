"""The locations import: a row finds its location by customer and name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields

from locations.models import Location, LocationStatus, LocationType

from ..engine import CustomerIndex, ImportResource, any_of, text_field
from ..widgets import ChoiceWidget, Column, CountryWidget, _choices, as_text

LOCATION_COLUMNS = [
    Column(
        "customer",
        "Customer",
        True,
        "The customer's external ID or exact name",
        "Rows are matched to existing locations by customer and name.",
        example="CRM-1001",
    ),
    Column("name", "Location name", True, "Text, up to 200 characters", example="Head office"),
    Column("location_type", "Type", allowed=_choices(LocationType), example="Headquarters"),
    Column("status", "Status", allowed=_choices(LocationStatus), example="Active"),
    Column("address_line1", "Address line 1", example="1 Main Street"),
    Column("address_line2", "Address line 2"),
    Column("postal_code", "Postal code"),
    Column("city", "City", example="Springfield"),
    Column("state", "State / province"),
    Column("country", "Country", allowed="Two-letter code or English name", example="US"),
    Column("notes", "Notes"),
]


class LocationResource(ImportResource):
    webhook_prefix = "location"
    key_label = "customer and name"
    resolved_fields = frozenset({"customer"})
    fixed_attributes = frozenset({"customer_id"})
    columns = LOCATION_COLUMNS

    name = text_field("name")
    location_type = text_field("location_type", ChoiceWidget(LocationType))
    status = text_field("status", ChoiceWidget(LocationStatus))
    address_line1 = text_field("address_line1")
    address_line2 = text_field("address_line2")
    postal_code = text_field("postal_code")
    city = text_field("city")
    state = text_field("state")
    country = text_field("country", CountryWidget())
    notes = text_field("notes")
    customer = fields.Field(attribute="customer_id", column_name="customer", readonly=True)

    class Meta(ImportResource.Meta):
        model = Location
        fields = [column.name for column in LOCATION_COLUMNS]

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
            Location.objects.filter(customer_id__in=any_of(customer_ids)) if customer_ids else []
        )
        if customer_ids and self.lock:
            queryset = queryset.select_for_update()
        self.existing = {
            (location.customer_id, location.name.strip().lower()): location for location in queryset
        }

    def find(self, row):
        try:
            customer = self.index.refer(row.get("customer"))
        except ValueError as error:
            raise ValidationError({"customer": str(error)}) from None
        row["_customer_id"] = customer.pk
        name = as_text(row.get("name")).lower()
        self.remember((customer.pk, name), "customer and location name")
        return self.existing.get((customer.pk, name))

    def record_label(self, row: dict) -> str:
        return f"{as_text(row.get('name'))} ({as_text(row.get('customer'))})"

    def init_instance(self, row=None):
        return Location(customer_id=row["_customer_id"])

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if field.column_name != "customer"]
