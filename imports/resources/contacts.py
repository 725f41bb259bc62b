"""The contacts import: a row finds its contact by customer and email (or, without an email,
by customer and name); roles are named in one cell, comma-separated."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields

from customers.models_contacts import Contact, ContactRole, PreferredChannel

from ..engine import CustomerIndex, ImportResource, any_of, text_field
from ..widgets import ChoiceWidget, Column, _choices, as_text

CONTACT_COLUMNS = [
    Column(
        "customer",
        "Customer",
        True,
        "The customer's external ID or exact name",
        "Rows are matched to existing contacts by customer and email (or name, without one).",
        example="CRM-1001",
    ),
    Column("name", "Name", True, "Text, up to 150 characters", example="Jane Doe"),
    Column("title", "Job title", example="Finance director"),
    Column("email", "Email", allowed="An email address", example="jane@example.com"),
    Column("other_emails", "Other emails", allowed="Email addresses separated by commas"),
    Column("phone", "Phone", allowed="International format (+1 202…)", example="+1 202 555 0100"),
    Column("mobile", "Mobile", allowed="International format (+1 202…)"),
    Column("preferred_channel", "Preferred channel", allowed=_choices(PreferredChannel)),
    Column(
        "roles",
        "Roles",
        allowed="Role names separated by commas (Primary, Billing, Technical…)",
        example="Primary, Billing",
    ),
    Column("notes", "Notes"),
]


class ContactResource(ImportResource):
    key_label = "customer and email (or name)"
    resolved_fields = frozenset({"customer"})
    fixed_attributes = frozenset({"customer_id"})
    extra_update_fields = ("phone_digits",)
    columns = CONTACT_COLUMNS

    name = text_field("name")
    title = text_field("title")
    email = text_field("email")
    other_emails = text_field("other_emails")
    phone = text_field("phone")
    mobile = text_field("mobile")
    preferred_channel = text_field("preferred_channel", ChoiceWidget(PreferredChannel))
    notes = text_field("notes")
    customer = fields.Field(attribute="customer_id", column_name="customer", readonly=True)
    # Resolved by check_record into the roles (set after the rows are written) and their
    # label, which is what a re-import compares.
    roles = fields.Field(attribute="roles_label", column_name="roles", readonly=True)

    class Meta(ImportResource.Meta):
        model = Contact
        fields = [column.name for column in CONTACT_COLUMNS]

    def preload(self, rows) -> None:
        self.index = CustomerIndex(self.reach)
        self.role_ids = {
            role.name.lower(): role for role in ContactRole.objects.filter(is_archived=False)
        }
        self.roles_of: dict[int, list[ContactRole]] = {}

    def load(self, rows: list[dict]) -> None:
        customer_ids = set()
        for row in rows:
            try:
                customer_ids.add(self.index.refer(row.get("customer")).pk)
            except ValueError:
                continue
        queryset = (
            Contact.objects.filter(customer_id__in=any_of(customer_ids)) if customer_ids else []
        )
        if customer_ids and self.lock:
            queryset = queryset.select_for_update()
        self.existing = {}
        for contact in queryset:
            self.existing.setdefault(
                _key(contact.customer_id, contact.email, contact.name), contact
            )

    def find(self, row):
        try:
            customer = self.index.refer(row.get("customer"))
        except ValueError as error:
            raise ValidationError({"customer": str(error)}) from None
        row["_customer_id"] = customer.pk
        key = _key(customer.pk, as_text(row.get("email")), as_text(row.get("name")))
        self.remember(key, "customer and email (or name)")
        return self.existing.get(key)

    def check_record(self, instance, row) -> None:
        instance.name = (instance.name or "").strip()
        if not instance.name:
            raise ValidationError({"name": "Enter the contact's name."})
        try:
            instance.clean()
        except ValidationError as error:
            raise ValidationError(error.message_dict) from None
        if "roles" in self.present:
            chosen = []
            for name in filter(
                None, (part.strip() for part in as_text(row.get("roles")).split(","))
            ):
                role = self.role_ids.get(" ".join(name.split()).lower())
                if role is None:
                    raise ValidationError({"roles": f"No role named “{name[:60]}”."})
                chosen.append(role)
            chosen = sorted(set(chosen), key=lambda r: (r.order, r.name.lower()))
            instance.roles_label = ", ".join(role.name for role in chosen)[:500]
            row["_roles"] = chosen

    def accepted(self, instance, row: dict) -> None:
        if "_roles" in row:
            self.roles_of[id(instance)] = row["_roles"]

    def flush(self) -> None:
        written = [*self.creates, *(instance for instance, _changes in self.updates)]
        super().flush()
        for instance in written:
            roles = self.roles_of.pop(id(instance), None)
            if roles is not None:
                # The engine's bulk insert leaves new instances unbound to a database.
                instance._state.adding, instance._state.db = False, "default"
                instance.roles.set(roles)

    def record_label(self, row: dict) -> str:
        return f"{as_text(row.get('name'))} ({as_text(row.get('customer'))})"

    def init_instance(self, row=None):
        return Contact(customer_id=row["_customer_id"])

    def get_import_fields(self):
        return [
            field
            for field in super().get_import_fields()
            if field.column_name not in ("customer", "roles")
        ]


def _key(customer_id: int, email: str, name: str) -> tuple:
    email = (email or "").strip().lower()
    if email:
        return (customer_id, "email", email)
    return (customer_id, "name", " ".join((name or "").split()).lower())
