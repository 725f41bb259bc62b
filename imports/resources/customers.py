"""The customers import: a row finds its customer by external ID (else by name), and may
name a parent customer, checked in memory against the whole file."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models.functions import Lower
from import_export import fields

from core.events import emit_events
from customers.models import BusinessType, Contact, Customer, CustomerStatus, check_parent_chain
from customers.models_contacts import PEOPLE_FIELDS, ContactRole, legacy_people
from customers.services import NEW_TOP_LEVEL_REFUSED

from ..bulk import insert_new, link_many, record_history
from ..engine import CustomerIndex, CustomerKey, ImportResource, any_of, deleted_message, text_field
from ..widgets import (
    ChoiceWidget,
    Column,
    CountryWidget,
    DateWidget,
    PhoneWidget,
    WebsiteWidget,
    _choices,
    as_text,
)

# The columns whose address may already be a contact's (a likely duplicate, noted on the row).
EMAIL_COLUMNS = ("company_email", "contact_email", "billing_email")
# The primary and billing contact, as the customer form once had them: imported as contacts.
PEOPLE_COLUMNS = PEOPLE_FIELDS


def person_field(name: str) -> fields.Field:
    """A people column: read by ``CustomerResource.people_of``, never a customer attribute."""
    return fields.Field(attribute=None, column_name=name, readonly=True)


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
    Column(
        "contact_name",
        "Primary contact",
        help="With contact_email and contact_phone: a contact with the Primary role, unless "
        "the customer has a contact with that email (or, without one, that name) already.",
        example="Jane Doe",
    ),
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
    Column(
        "billing_contact_name",
        "Billing contact",
        help="With billing_email and billing_phone: a contact with the Billing role (the "
        "primary contact, when the same person), unless the customer has them already.",
    ),
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
        "customer_since",
        "Customer since",
        allowed="YYYY-MM-DD, not in the future; empty: the day it is added (or as it was)",
        help="When the relationship began: the figures count the customer from then, not "
        "from the day of the import.",
        example="2019-04-01",
    ),
    Column(
        "parent",
        "Parent customer",
        allowed="An existing customer's external ID or exact name; empty: none",
        help="For subsidiaries, departments or an agency's clients. A parent that is new in "
        "the same file cannot be referred to yet: import the parents first.",
    ),
]


class CustomerResource(ImportResource):
    webhook_prefix = "customer"
    key_label = "external ID or name"
    columns = CUSTOMER_COLUMNS
    extra_update_fields = ("phone_digits", "version")
    resolved_fields = frozenset({"parent"})
    # Not the customer's fields: the people in them become its contacts (``people_of``).
    import_only = frozenset(PEOPLE_COLUMNS)

    name = text_field("name")
    external_id = text_field("external_id")
    industry = text_field("industry")
    business_type = text_field("business_type", ChoiceWidget(BusinessType))
    status = text_field("status", ChoiceWidget(CustomerStatus))
    website = text_field("website", WebsiteWidget())
    description = text_field("description")
    company_email = text_field("company_email")
    company_phone = text_field("company_phone", PhoneWidget())
    contact_name = person_field("contact_name")
    contact_email = person_field("contact_email")
    contact_phone = person_field("contact_phone")
    address_line1 = text_field("address_line1")
    address_line2 = text_field("address_line2")
    city = text_field("city")
    state = text_field("state")
    postal_code = text_field("postal_code")
    country = text_field("country", CountryWidget())
    billing_contact_name = person_field("billing_contact_name")
    billing_email = person_field("billing_email")
    billing_phone = person_field("billing_phone")
    billing_address_line1 = text_field("billing_address_line1")
    billing_address_line2 = text_field("billing_address_line2")
    billing_city = text_field("billing_city")
    billing_state = text_field("billing_state")
    billing_postal_code = text_field("billing_postal_code")
    billing_country = text_field("billing_country", CountryWidget())
    internal_notes = text_field("internal_notes")
    customer_since = text_field("customer_since", DateWidget())
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
        self.known_addresses = self.customers_by_contact_email(rows)
        self.contact_keys: dict[int, set[tuple[str, str]]] = {}
        if matched and self.present & set(PEOPLE_COLUMNS):
            contacts = Contact.objects.filter(customer_id__in=any_of(matched))
            for customer_id, name, email in contacts.values_list("customer_id", "name", "email"):
                keys = self.contact_keys.setdefault(customer_id, set())
                keys.add(_person_key(name, email))

    def customers_by_contact_email(self, rows: list[dict]) -> dict[str, tuple[int, str]]:
        """The chunk's email addresses that a contact of a live customer (within reach) has
        already: one query on the contacts' indexed address."""
        addresses = {
            as_text(row.get(column)).strip().lower()
            for row in rows
            for column in EMAIL_COLUMNS
            if "@" in as_text(row.get(column))
        }
        if not addresses:
            return {}
        contacts = (
            Contact.objects.annotate(address=Lower("email"))
            .filter(address__in=any_of(addresses, "text"), customer__deleted_at__isnull=True)
            .order_by("customer_id")
        )
        if self.reach is not None:
            contacts = contacts.filter(customer_id__in=any_of(self.reach))
        found: dict[str, tuple[int, str]] = {}
        for address, pk, name in contacts.values_list("address", "customer_id", "customer__name"):
            found.setdefault(address, (pk, name))
        return found

    def notes_for_new(self, instance, row: dict) -> list[list[str]]:
        """A new customer whose email a contact of another customer has: probably the same
        company. Imported all the same (the file may be right); the note says what to check."""
        for column in EMAIL_COLUMNS:
            address = as_text(row.get(column)).strip().lower()
            if address in self.known_addresses:
                pk, name = self.known_addresses[address]
                return [
                    [
                        column,
                        f"A contact of {name} (#{pk}) has this address: if it is the same "
                        "company, merge the two after the import (Merge with… on its page).",
                    ]
                ]
        return []

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
        instance.imported_people = []
        if self.present & set(PEOPLE_COLUMNS):
            try:
                instance.imported_people = self.people_of(instance, row)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
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

    def people_of(self, instance, row) -> list[dict]:
        """The row's primary and billing contact (one person when they are the same) that
        the customer has no contact for yet: same email, or without one, same name."""
        cells, errors = {}, {}
        for column in PEOPLE_COLUMNS:
            value = self.guard(as_text(row.get(column)).strip())
            kind = column.rsplit("_", 1)[1]
            if value and kind in ("email", "phone"):
                try:
                    value = CONTACT_META.get_field(kind).clean(value, None)
                except ValidationError as error:
                    errors[column] = error.messages
                    continue
                value = value.as_e164 if kind == "phone" else value
            cells[column] = value
        if errors:
            raise ValidationError(errors)
        known = self.contact_keys.get(instance.pk, set()) if instance.pk else set()
        return [
            person
            for person in legacy_people(cells)
            if _person_key(person["name"], person["email"]) not in known
        ]

    def side_writes(self, instance, row) -> bool:
        return bool(instance.imported_people)

    def flush(self) -> None:
        """The customers, then their new contacts (with roles, history and events)."""
        super().flush()
        people = [
            (instance.pk, person)
            for _line, instance in self.written
            for person in instance.imported_people
        ]
        if not people:
            return
        roles = {role.key: role for role in ContactRole.objects.filter(is_archived=False)}
        contacts = []
        for customer_id, person in people:
            chosen = [roles[key] for key in person["roles"] if key in roles]
            contact = Contact(
                customer_id=customer_id,
                name=person["name"][:150],
                email=person["email"],
                phone=person["phone"],
                mobile=person["mobile"],
                notes=person["notes"],
                roles_label=", ".join(role.name for role in chosen),
            )
            contact.refresh_search_fields()
            contact.chosen_roles = chosen
            contacts.append(contact)
        insert_new(Contact, contacts, now=self.now)
        link_many(
            Contact,
            "roles",
            [(contact.pk, role.pk) for contact in contacts for role in contact.chosen_roles],
        )
        record_history(
            Contact,
            [contact.pk for contact in contacts],
            history_type="+",
            user_id=self.actor.pk if self.actor is not None else None,
            reason=self.reason,
            date=self.now,
        )
        emit_events("contact.created", [(contact, []) for contact in contacts])

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
        instance._check_customer_since()

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk:
            instance.version += 1


CONTACT_META = Contact._meta


def _person_key(name: str, email: str) -> tuple[str, str]:
    email = (email or "").strip().lower()
    return ("email", email) if email else ("name", " ".join((name or "").split()).lower())
