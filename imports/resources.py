"""The kinds of import: customers, locations and assets (their columns, how a row finds its
record, what it may refer to), and how a file's column names map to them."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db.models.functions import Lower
from import_export import fields

from assets.models import Asset, AssetCategory, AssetStatus, normalise_serial
from billing.models import Project
from core.widgets import MAX_KEY_LENGTH
from customers.models import BusinessType, Customer, CustomerStatus, check_parent_chain
from locations.models import Location, LocationStatus, LocationType

from .engine import (
    CustomerIndex,
    CustomerKey,
    ImportResource,
    any_of,
    deleted_message,
    text_field,
)
from .usage import UsageResource
from .widgets import (
    AttributesWidget,
    ChoiceWidget,
    Column,
    CountryWidget,
    DateWidget,
    MoneyWidget,
    PhoneWidget,
    WebsiteWidget,
    _choices,
    as_text,
    blank,
)

CUSTOMER_COLUMNS = [
    Column("name", "Customer name", True, "Text, up to 200 characters", example="Acme Ltd"),
    Column(
        "external_id",
        "External ID",
        help="Your CRM/ERP's ID. Rows are matched to existing customers by it "
        "(case-insensitive), else by name.",
        example="CRM-1001",
    ),
    Column("industry", "Industry", example="Manufacturing"),
    Column("business_type", "Business type", allowed=_choices(BusinessType), example="SMB"),
    Column("status", "Status", allowed=_choices(CustomerStatus), example="Active"),
    Column(
        "website", "Website", allowed="A web address; https:// is added", example="acme.example"
    ),
    Column("description", "Description"),
    Column(
        "company_email", "Company email", allowed="An email address", example="info@acme.example"
    ),
    Column(
        "company_phone",
        "Company phone",
        allowed="International format, e.g. +44 20 7946 0000",
        example="+1 202 555 0100",
    ),
    Column("contact_name", "Primary contact", example="Jane Doe"),
    Column("contact_email", "Contact email", allowed="An email address"),
    Column("contact_phone", "Contact phone", allowed="International format"),
    Column("address_line1", "Address line 1", example="1 Main Street"),
    Column("address_line2", "Address line 2"),
    Column("city", "City", example="Springfield"),
    Column("state", "State / province"),
    Column("postal_code", "Postal code"),
    Column(
        "country", "Country", allowed="Two-letter code (US, GB, DE…) or English name", example="US"
    ),
    Column("billing_contact_name", "Billing contact"),
    Column("billing_email", "Billing email", allowed="An email address"),
    Column("billing_phone", "Billing phone", allowed="International format"),
    Column("billing_address_line1", "Billing address line 1"),
    Column("billing_address_line2", "Billing address line 2"),
    Column("billing_city", "Billing city"),
    Column("billing_state", "Billing state / province"),
    Column("billing_postal_code", "Billing postal code"),
    Column("billing_country", "Billing country", allowed="Two-letter code or English name"),
    Column("internal_notes", "Internal notes"),
    Column(
        "custom_attributes",
        "Custom attributes",
        allowed="key: value pairs separated by semicolons; an empty cell clears them",
        help="Replaces the customer's custom attributes (at most 50; keys up to "
        f"{MAX_KEY_LENGTH} characters).",
        example="Account manager: Jane Doe; Tier: Gold",
    ),
    Column(
        "parent",
        "Parent customer",
        allowed="An existing customer's external ID or exact name; empty: none",
        help="For subsidiaries, departments or an agency's clients. A parent that is new in "
        "the same file cannot be referred to yet: import the parents first.",
    ),
]


# A staff user limited to assigned customers adds customers only below one of theirs (where
# they keep seeing it): a new top-level customer would be out of their reach at once.
NEW_TOP_LEVEL_REFUSED = (
    "You see only the customers assigned to you: a new customer needs a parent customer "
    "you can reach (it becomes its sub-account)."
)
ASSET_OUT_OF_REACH = (
    "You see only the customers assigned to you: give an owner, or a location, of one of them."
)


class CustomerResource(ImportResource):
    webhook_prefix = "customer"
    key_label = "external ID or name"
    columns = CUSTOMER_COLUMNS
    extra_update_fields = ("phone_digits", "version")
    resolved_fields = frozenset({"parent"})

    name = text_field("name")
    external_id = text_field("external_id")
    industry = text_field("industry")
    business_type = text_field("business_type", ChoiceWidget(BusinessType))
    status = text_field("status", ChoiceWidget(CustomerStatus))
    website = text_field("website", WebsiteWidget())
    description = text_field("description")
    company_email = text_field("company_email")
    company_phone = text_field("company_phone", PhoneWidget())
    contact_name = text_field("contact_name")
    contact_email = text_field("contact_email")
    contact_phone = text_field("contact_phone", PhoneWidget())
    address_line1 = text_field("address_line1")
    address_line2 = text_field("address_line2")
    city = text_field("city")
    state = text_field("state")
    postal_code = text_field("postal_code")
    country = text_field("country", CountryWidget())
    billing_contact_name = text_field("billing_contact_name")
    billing_email = text_field("billing_email")
    billing_phone = text_field("billing_phone", PhoneWidget())
    billing_address_line1 = text_field("billing_address_line1")
    billing_address_line2 = text_field("billing_address_line2")
    billing_city = text_field("billing_city")
    billing_state = text_field("billing_state")
    billing_postal_code = text_field("billing_postal_code")
    billing_country = text_field("billing_country", CountryWidget())
    internal_notes = text_field("internal_notes")
    custom_attributes = text_field("custom_attributes", AttributesWidget())
    parent = fields.Field(attribute="parent_id", column_name="parent", readonly=True)

    class Meta(ImportResource.Meta):
        model = Customer
        fields = [column.name for column in CUSTOMER_COLUMNS]

    def preload(self, rows) -> None:
        """One query for every customer's keys (and parents); notes the keys of the file's new
        customers, so that a row naming one of them as its parent is told why it cannot."""
        self.index = CustomerIndex(self.reach)
        # Parents as they will be once the rows accepted so far are written.
        self.planned_parents: dict[int, int | None] = {}
        self.new_in_file: set[str] = set()
        if "parent" not in self.present:
            return
        for row in rows:
            key, ambiguous = self.match(row)
            if key is None and not ambiguous:
                for column in ("external_id", "name"):
                    if text := as_text(row.get(column)).lower():
                        self.new_in_file.add(text)

    def load(self, rows: list[dict]) -> None:
        """One query for the full records the chunk's rows update (locked when importing)."""
        matched = set()
        for row in rows:
            key, _ = self.match(row)
            if key is not None and key.deleted_at is None and self.index.reaches(key):
                matched.add(key.pk)
        queryset = Customer.objects.filter(pk__in=any_of(matched)) if matched else []
        if matched and self.lock:
            queryset = queryset.select_for_update()
        self.existing = {customer.pk: customer for customer in queryset}

    def match(self, row) -> tuple[CustomerKey | None, int]:
        """External ID first; else the name, among customers without another external ID
        (and, for a limited importer, among their own customers). Returns the match and, when
        the name is ambiguous, how many live customers bear it."""
        external_id = as_text(row.get("external_id")).lower()
        if external_id and external_id in self.index.by_external_id:
            return self.index.by_external_id[external_id], 0
        name = as_text(row.get("name")).lower()
        candidates = [
            key
            for key in self.index.by_name.get(name, [])
            if (not key.external_id or not external_id) and self.index.reaches(key)
        ]
        live = [key for key in candidates if key.deleted_at is None]
        if len(live) > 1:
            return None, len(live)
        return (live or candidates or [None])[0], 0

    def find(self, row):
        external_id = as_text(row.get("external_id")).lower()
        name = as_text(row.get("name")).lower()
        if external_id:
            self.remember(("external_id", external_id), "external ID")
        elif name:
            self.remember(("name", name), "customer name")
        key, ambiguous = self.match(row)
        if ambiguous:
            raise ValidationError(
                {
                    "name": f"{ambiguous} customers are called “{as_text(row.get('name'))}”; "
                    "add an external_id column to say which one."
                }
            )
        if key is None:
            return None
        if not self.index.reaches(key):  # its external ID: another customer's, out of reach
            raise ValidationError(
                {
                    "external_id": "No customer you can reach has the external ID "
                    f"“{as_text(row.get('external_id'))}”, and another customer uses it."
                }
            )
        if key.deleted_at is not None:
            raise ValidationError({NON_FIELD_ERRORS: deleted_message(key)})
        return self.existing[key.pk]

    def import_instance(self, instance, row, **kwargs) -> None:
        errors: dict = {}
        if "parent" in self.present:
            try:
                instance.parent_id = self.parent_of(instance, row)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        new_top_level = instance.pk is None and instance.parent_id is None
        if self.reach is not None and new_top_level and "parent" not in errors:
            errors["parent"] = [NEW_TOP_LEVEL_REFUSED]
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def parent_of(self, instance, row) -> int | None:
        """The parent a row names, under the rules of Customer._check_parent (not itself, not
        one of its own descendants, a chain of at most MAX_PARENT_DEPTH), checked against
        every customer's parent in memory, as this file's earlier rows will leave them."""
        text = as_text(row.get("parent"))
        if not text:
            return None
        own = as_text(row.get("external_id")) or as_text(row.get("name"))
        if text.lower() == own.lower():
            raise ValidationError({"parent": "A customer cannot be its own parent."})
        try:
            parent = self.index.refer(text)
        except ValueError as error:
            if text.lower() in self.new_in_file:
                raise ValidationError(
                    {
                        "parent": f"“{text}” is new in this file: import it first, then the "
                        "customers below it."
                    }
                ) from None
            raise ValidationError({"parent": str(error)}) from None
        if parent.pk == instance.pk:
            raise ValidationError({"parent": "A customer cannot be its own parent."})
        check_parent_chain(instance.pk, parent.pk, self.parent_id_of)
        return parent.pk

    def parent_id_of(self, pk: int) -> int | None:
        if pk in self.planned_parents:
            return self.planned_parents[pk]
        key = self.index.by_pk.get(pk)
        return key.parent_id if key is not None else None

    def accepted(self, instance, row: dict) -> None:
        if "parent" in self.present and instance.pk is not None:
            self.planned_parents[instance.pk] = instance.parent_id

    def check_record(self, instance, row) -> None:
        # Customer.clean() but its parent walk (a query per level): parent_of did that.
        instance.clean_name()

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk:
            instance.version += 1


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


RESOURCES: dict[str, type[ImportResource]] = {
    "customers": CustomerResource,
    "locations": LocationResource,
    "assets": AssetResource,
    "usage": UsageResource,
}


def normalise_header(text) -> str:
    text = as_text(text).replace("\ufeff", "").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def header_aliases(resource_class: type[ImportResource]) -> dict[str, str]:
    """Column names the file may use: the field name, its label, the model's verbose name (as
    the list's export writes it)."""
    model_meta = resource_class._meta.model._meta
    aliases: dict[str, str] = {}
    for column in resource_class.columns:
        names = [column.name, column.label]
        with contextlib.suppress(FieldDoesNotExist):  # e.g. location_customer
            names.append(str(model_meta.get_field(column.name).verbose_name))
        for name in names:
            aliases.setdefault(normalise_header(name), column.name)
    return aliases


@dataclass
class HeaderMap:
    columns: list[str | None]  # per file column: the resource column it feeds, or None
    ignored: list[str]
    missing: list[Column]
    duplicated: list[str]


def map_headers(resource_class: type[ImportResource], headers: list) -> HeaderMap:
    aliases = header_aliases(resource_class)
    columns: list[str | None] = []
    ignored, duplicated, seen = [], [], set()
    for header in headers:
        name = aliases.get(normalise_header(header))
        if name is None:
            if as_text(header):
                ignored.append(as_text(header))
            columns.append(None)
        elif name in seen:
            duplicated.append(as_text(header))
            columns.append(None)
        else:
            seen.add(name)
            columns.append(name)
    missing = [column for column in resource_class.required_columns() if column.name not in seen]
    return HeaderMap(columns, ignored, missing, duplicated)
