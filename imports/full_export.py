"""The full-record export: the records of a kind the user can see (narrowed by the list's
filters when given), with every import column (custom fields and tags included), each cell
written the way the import reads it. Importing the file unchanged reports every row as
unchanged."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.apps import apps
from phonenumber_field.phonenumber import PhoneNumber

from assets.filters import AssetFilterSet
from contracts.filters import ContractFilterSet
from customers.filters import CustomerFilterSet
from customers.forms_contacts import ContactFilterSet
from fields.values import cell_text
from locations.filters import LocationFilterSet

from .custom_columns import TAGS_COLUMN
from .resources import RESOURCES

CHUNK = 2000
MODELS = {
    "customers": "customers.Customer",
    "contacts": "customers.Contact",
    "locations": "locations.Location",
    "assets": "assets.Asset",
    "contracts": "contracts.Contract",
}
FILTERSETS = {
    "customers": CustomerFilterSet,
    "contacts": ContactFilterSet,
    "locations": LocationFilterSet,
    "assets": AssetFilterSet,
    "contracts": ContractFilterSet,
}
RELATED = {
    "customers": ("parent",),
    "contacts": ("customer",),
    "locations": ("customer",),
    "assets": ("owner", "location__customer", "project"),
    "contracts": ("customer",),
}


def customer_key(customer) -> str:
    """How a row names a customer: its external ID, else its name."""
    if customer is None:
        return ""
    return customer.external_id or customer.name


def _reference(kind: str, column: str, record) -> str | None:
    """Columns that name another record (None: not a reference column)."""
    if column in ("parent", "customer", "owner"):
        return customer_key(getattr(record, column))
    if kind == "assets" and column == "location":
        return record.location.name if record.location_id else ""
    if kind == "assets" and column == "location_customer":
        location = record.location
        if location is None or location.customer_id == record.owner_id:
            return ""
        return customer_key(location.customer)
    if kind == "assets" and column == "project":
        return record.project.name if record.project_id else ""
    if kind == "contacts" and column == "roles":
        return record.roles_label
    return None


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, PhoneNumber):
        return value.as_e164 if value.is_valid() else str(value)
    if hasattr(value, "code") and hasattr(value, "name"):  # a django-countries Country
        return value.code or ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def full_export_rows(kind: str, request) -> tuple[list[str], Iterator[list[str]]]:
    resource_class = RESOURCES[kind]
    model = apps.get_model(MODELS[kind])
    columns = [
        column.name
        for column in resource_class.columns
        if column.name not in resource_class.import_only
    ]
    definitions = {d.column_name: d for d in getattr(resource_class, "custom_definitions", ())}
    attributes = {
        name: resource_class.fields[name].attribute
        for name in columns
        if name not in definitions and name != TAGS_COLUMN
    }
    filterset = FILTERSETS[kind](
        request.GET or None, queryset=model.objects.visible_to(request.user), request=request
    )
    queryset = filterset.qs.select_related(*RELATED[kind]).order_by("pk")
    if TAGS_COLUMN in columns:
        queryset = queryset.prefetch_related("tags")

    def cell(record, name: str) -> str:
        if name in definitions:
            definition = definitions[name]
            return cell_text(definition, (record.custom_field_data or {}).get(definition.key))
        if name == TAGS_COLUMN:
            return "; ".join(sorted(tag.name for tag in record.tags.all()))
        reference = _reference(kind, name, record)
        if reference is not None:
            return reference
        return _plain(getattr(record, attributes[name]))

    def rows() -> Iterator[list[str]]:
        for record in queryset.iterator(chunk_size=CHUNK):
            yield [cell(record, name) for name in columns]

    return columns, rows()
