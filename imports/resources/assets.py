"""The assets import: a row finds its asset by serial number, and names its owner, its site
(at the owner or another customer) and its project."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from import_export import fields

from assets.models import Asset, AssetCategory, AssetStatus, normalise_serial
from assets.services import ASSET_OUT_OF_REACH
from billing.models import Project
from locations.models import Location

from ..engine import CustomerIndex, ImportResource, any_of, text_field
from ..widgets import ChoiceWidget, Column, DateWidget, MoneyWidget, _choices, as_text, blank

ASSET_COLUMNS = [
    Column("name", "Name / asset tag", True, "Text, up to 200 characters", example="SRV-001"),
    Column(
        "serial_number",
        "Serial number",
        True,
        "Unique; rows are matched to existing assets by it (case-insensitive)",
        example="SN-0001",
    ),
    Column("model_name", "Model", example="PowerEdge R750"),
    Column("category", "Category", allowed=_choices(AssetCategory), example="Server"),
    Column("status", "Status", allowed=_choices(AssetStatus), example="Deployed"),
    Column(
        "owner",
        "Owner",
        allowed="A customer's external ID or exact name; empty: your business",
        example="CRM-1001",
    ),
    Column(
        "location",
        "Location",
        allowed="A location's name at the customer in location_customer (or the owner)",
        example="Head office",
    ),
    Column(
        "location_customer",
        "Location's customer",
        allowed="External ID or name; only when the site is not the owner's",
    ),
    Column(
        "project",
        "Project",
        allowed="A project's exact name at the owner or the site's customer; empty: none",
        example="Office move 2026",
    ),
    Column("purchase_date", "Purchase date", allowed="YYYY-MM-DD", example="2025-01-31"),
    Column("value", "Value", allowed="A number, e.g. 1234.50", example="4999.00"),
    Column("notes", "Notes"),
]


class AssetResource(ImportResource):
    webhook_prefix = "asset"
    key_label = "serial number"
    resolved_fields = frozenset({"owner", "location", "project"})
    columns = ASSET_COLUMNS

    name = text_field("name")
    serial_number = text_field("serial_number")
    model_name = text_field("model_name")
    category = text_field("category", ChoiceWidget(AssetCategory))
    status = text_field("status", ChoiceWidget(AssetStatus))
    purchase_date = fields.Field(
        attribute="purchase_date", column_name="purchase_date", widget=DateWidget()
    )
    value = fields.Field(attribute="value", column_name="value", widget=MoneyWidget())
    notes = text_field("notes")
    owner = fields.Field(attribute="owner_id", column_name="owner")
    location = fields.Field(attribute="location_id", column_name="location")
    location_customer = fields.Field(
        attribute="location_id", column_name="location_customer", readonly=True
    )
    project = fields.Field(attribute="project_id", column_name="project")

    class Meta(ImportResource.Meta):
        model = Asset
        fields = [column.name for column in ASSET_COLUMNS]

    def preload(self, rows) -> None:
        self.index = CustomerIndex(self.reach)
        self.site_customers: dict[int, int] = {}  # a limited importer's: location → customer
        customer_ids = set()
        for row in rows:
            for column in ("owner", "location_customer"):
                if not blank(row.get(column)):
                    with contextlib.suppress(ValueError):
                        customer_ids.add(self.index.refer(row.get(column)).pk)
        self.locations = {
            (customer_id, name.strip().lower()): pk
            for pk, customer_id, name in Location.objects.filter(
                customer_id__in=any_of(customer_ids)
            ).values_list("pk", "customer_id", "name")
        }
        self.projects: dict[tuple[int, str], list[int]] = {}
        if "project" in self.present and customer_ids:
            for pk, customer_id, name in Project.objects.filter(
                customer_id__in=any_of(customer_ids)
            ).values_list("pk", "customer_id", "name"):
                self.projects.setdefault((customer_id, name.strip().lower()), []).append(pk)

    def load(self, rows: list[dict]) -> None:
        serials = set()
        for row in rows:
            serial = normalise_serial(as_text(row.get("serial_number"))).lower()
            if serial:
                serials.add(serial)
        queryset = (
            Asset.objects.annotate(serial_key=Lower("serial_number")).filter(
                serial_key__in=any_of(serials, "text")
            )
            if serials
            else []
        )
        if serials and self.lock:
            queryset = queryset.select_for_update()
        self.existing = {asset.serial_number.lower(): asset for asset in queryset}
        if self.reach is not None:
            # A limited importer changes only assets owned by, or at a site of, their
            # customers: the sites' customers in one more query.
            sites = {asset.location_id for asset in self.existing.values()} - {None}
            self.site_customers = dict(
                Location.objects.filter(pk__in=any_of(sites)).values_list("pk", "customer_id")
                if sites
                else []
            )

    def reaches_asset(self, owner_id: int | None, site_customer_id: int | None) -> bool:
        return self.reach is None or bool({owner_id, site_customer_id} & self.reach)

    def find(self, row):
        serial = normalise_serial(as_text(row.get("serial_number")))
        if not serial:
            raise ValidationError(
                {"serial_number": "Give the serial number: rows are matched by it."}
            )
        self.remember(serial.lower(), "serial number")
        found = self.existing.get(serial.lower())
        if (
            found is not None
            and self.reach is not None
            and not self.reaches_asset(found.owner_id, self.site_customers.get(found.location_id))
        ):
            raise ValidationError(
                {
                    "serial_number": f"No asset you can reach has the serial number “{serial}”, "
                    "and another asset uses it."
                }
            )
        return found

    def record_label(self, row: dict) -> str:
        return f"{as_text(row.get('name'))} · {as_text(row.get('serial_number'))}"

    def get_import_fields(self):
        skip = {"owner", "location", "location_customer", "project"}
        return [field for field in super().get_import_fields() if field.column_name not in skip]

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        owner_id = instance.owner_id
        if "owner" in self.present:
            owner_id = None
            if not blank(row.get("owner")):
                try:
                    owner_id = self.index.refer(row.get("owner")).pk
                except ValueError as error:
                    errors.setdefault("owner", []).append(str(error))
            instance.owner_id = owner_id
        site_customer_id = None
        if "location" in self.present:
            instance.location_id = None
            place = as_text(row.get("location"))
            if place:
                where = row.get("location_customer")
                try:
                    customer_id = self.index.refer(where).pk if not blank(where) else owner_id
                except ValueError as error:
                    errors.setdefault("location_customer", []).append(str(error))
                    customer_id = None
                site_customer_id = customer_id
                if customer_id is None and "location_customer" not in errors:
                    errors.setdefault("location", []).append(
                        "Say whose site it is: fill in owner or location_customer."
                    )
                elif customer_id is not None:
                    found = self.locations.get((customer_id, place.lower()))
                    if found is None:
                        errors.setdefault("location", []).append(
                            f"That customer has no location called “{place}”."
                        )
                    instance.location_id = found
        if "project" in self.present:
            try:
                instance.project_id = self.project_of(row, owner_id, site_customer_id)
            except ValueError as error:
                errors.setdefault("project", []).append(str(error))
        if not errors and self.reach is not None:
            if "location" not in self.present:
                site_customer_id = self.site_customers.get(instance.location_id)
            if not self.reaches_asset(instance.owner_id, site_customer_id):
                errors["owner"] = [ASSET_OUT_OF_REACH]
        if errors:
            raise ValidationError(errors)

    def project_of(self, row, *customer_ids: int | None) -> int | None:
        """The project a row names, among those of the asset's owner and its site's customer."""
        title = as_text(row.get("project"))
        if not title:
            return None
        found = {
            pk
            for customer_id in customer_ids
            if customer_id is not None
            for pk in self.projects.get((customer_id, title.lower()), [])
        }
        if not found:
            raise ValueError(
                f"Neither the owner nor the site's customer has a project called “{title}”."
            )
        if len(found) > 1:
            raise ValueError(f"{len(found)} projects are called “{title}”; rename one first.")
        return found.pop()

    def before_save_instance(self, instance, row, **kwargs):
        instance.serial_number = normalise_serial(instance.serial_number)
        super().before_save_instance(instance, row, **kwargs)
