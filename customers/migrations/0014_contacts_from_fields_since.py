"""Contacts for what was typed in a customer's old primary and billing contact fields since
0008 made contacts of them (the edit form, the portal and the import kept writing those
fields): a person no contact of the customer has yet becomes a contact. A person a contact
already has (same email; without an email, same name) gets the role when no current contact
of the customer holds it; a new contact gets the roles nobody holds, and otherwise says in its
notes which field it came from. The next migration drops the fields."""

from django.db import migrations
from django.utils import timezone

from customers.models_contacts import legacy_people, search_fields_of

REASON = "Made from the customer's contact fields"
CHUNK = 2000
LEGACY_FIELDS = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "billing_contact_name",
    "billing_email",
    "billing_phone",
)


def forwards(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Contact = apps.get_model("customers", "Contact")
    ContactRole = apps.get_model("customers", "ContactRole")
    HistoricalContact = apps.get_model("customers", "HistoricalContact")
    roles = {role.key: role for role in ContactRole.objects.filter(key__in=["primary", "billing"])}
    filled = Customer.objects.exclude(**{name: "" for name in LEGACY_FIELDS}).order_by("pk")
    now = timezone.now()
    chunk: list[dict] = []
    for row in filled.values("pk", *LEGACY_FIELDS).iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            _sync_chunk(chunk, roles, Contact, HistoricalContact, now)
            chunk = []
    if chunk:
        _sync_chunk(chunk, roles, Contact, HistoricalContact, now)


def _sync_chunk(rows, roles, Contact, HistoricalContact, now) -> None:
    """One query for the contacts (and their roles) of a chunk of customers."""
    contacts: dict[int, list] = {row["pk"]: [] for row in rows}
    found = Contact.objects.filter(customer_id__in=list(contacts)).prefetch_related("roles")
    for contact in found.order_by("pk"):
        contacts[contact.customer_id].append(contact)
    new: list = []  # (contact, role keys)
    for row in rows:
        people = legacy_people(row)
        if people:
            new += _sync(row["pk"], people, roles, contacts[row["pk"]], Contact, now)
    if not new:
        return
    # New contacts in one INSERT each for them, their roles and their history.
    made = Contact.objects.bulk_create([contact for contact, _keys in new])
    through = Contact.roles.through
    through.objects.bulk_create(
        [
            through(contact_id=contact.pk, contactrole_id=roles[key].pk)
            for contact, (_same, keys) in zip(made, new, strict=True)
            for key in keys
        ]
    )
    names = {f.attname for f in HistoricalContact._meta.concrete_fields}
    HistoricalContact.objects.bulk_create(
        [
            HistoricalContact(
                **{
                    f.attname: getattr(contact, f.attname)
                    for f in Contact._meta.concrete_fields
                    if f.attname in names
                },
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
            )
            for contact in made
        ]
    )


def _sync(customer_id, people, roles, contacts, Contact, now) -> list:
    """The contacts to add for one customer's people (roles given to a matching contact at
    once)."""
    new = []
    held = {
        role.key
        for contact in contacts
        if not contact.is_archived
        for role in contact.roles.all()
        if not role.is_archived
    }
    for person in people:
        wanted = [key for key in person["roles"] if key in roles and key not in held]
        match = _matching(contacts, person)
        if match is not None:
            if wanted and match.pk is not None:
                match.roles.add(*[roles[key] for key in wanted])
                names = [role.name for role in match.roles.all()]
                Contact.objects.filter(pk=match.pk).update(roles_label=", ".join(names)[:500])
                held.update(wanted)
            continue
        notes = person["notes"]
        if not wanted:
            fields = " and ".join(
                "primary contact" if key == "primary" else "billing contact"
                for key in person["roles"]
            )
            notes = f"{notes} Was the customer's {fields} field.".strip()
        contact = Contact(
            customer_id=customer_id,
            name=person["name"][:150],
            email=person["email"],
            phone=person["phone"],
            mobile=person["mobile"],
            notes=notes,
            roles_label=", ".join(roles[key].name for key in wanted),
            created_at=now,
            updated_at=now,
        )
        contact.search_text, contact.phone_digits = search_fields_of(
            name=contact.name,
            title="",
            email=contact.email,
            other_emails="",
            phones=(person["phone"], person["mobile"]),
        )
        new.append((contact, wanted))
        held.update(wanted)
        contacts.append(contact)
    return new


def _matching(contacts, person):
    for contact in contacts:
        if person["email"]:
            if contact.email.lower() == person["email"].lower():
                return contact
        elif contact.name.lower() == person["name"].lower():
            return contact
    return None


class Migration(migrations.Migration):
    dependencies = [("customers", "0013_search_index_uppercase")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
