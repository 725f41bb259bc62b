"""The built-in contact roles, and every customer's primary and billing contact fields as
contacts with those roles (the same person in both: one contact with both roles). The old
columns stay as they were."""

from django.db import migrations
from django.utils import timezone

from customers.models_contacts import BUILT_IN_ROLES, legacy_people, search_fields_of

CHUNK = 2000
REASON = "Made from the customer's contact fields"
LEGACY_FIELDS = (
    "id",
    "contact_name",
    "contact_email",
    "contact_phone",
    "billing_contact_name",
    "billing_email",
    "billing_phone",
)


def seed_roles(ContactRole) -> dict[str, object]:
    roles = {}
    for key, name, order in BUILT_IN_ROLES:
        role = ContactRole.objects.filter(key=key).first()
        if role is None:
            role = ContactRole.objects.filter(name__iexact=name).first()
        if role is None:
            role = ContactRole.objects.create(key=key, name=name, order=order)
        roles[key] = role
    return roles


def contacts_from_fields(customers, *, Contact, ContactRole, HistoricalContact=None) -> int:
    """Make the contacts of ``customers`` (a queryset) from their old fields; customers that
    already have contacts are left alone (running twice adds nothing). Returns how many."""
    roles = seed_roles(ContactRole)
    through = Contact.roles.through
    made = 0
    rows = customers.filter(contacts__isnull=True).order_by("pk").values_list(*LEGACY_FIELDS)
    chunk = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(dict(zip(LEGACY_FIELDS, row, strict=True)))
        if len(chunk) == CHUNK:
            made += _make(chunk, Contact, through, HistoricalContact, roles)
            chunk = []
    if chunk:
        made += _make(chunk, Contact, through, HistoricalContact, roles)
    return made


def _make(chunk, Contact, through, HistoricalContact, roles) -> int:
    now = timezone.now()
    contacts, role_keys = [], []
    for fields in chunk:
        for person in legacy_people(fields):
            contact = Contact(
                customer_id=fields["id"],
                name=person["name"][:150],
                email=person["email"],
                phone=person["phone"],
                mobile=person["mobile"],
                notes=person["notes"],
                roles_label=", ".join(roles[key].name for key in person["roles"]),
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
            contacts.append(contact)
            role_keys.append(person["roles"])
    Contact.objects.bulk_create(contacts)
    through.objects.bulk_create(
        [
            through(contact_id=contact.pk, contactrole_id=roles[key].pk)
            for contact, keys in zip(contacts, role_keys, strict=True)
            for key in keys
        ]
    )
    if HistoricalContact is not None:
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
                for contact in contacts
            ]
        )
    return len(contacts)


def forwards(apps, schema_editor):
    contacts_from_fields(
        apps.get_model("customers", "Customer").objects.all(),
        Contact=apps.get_model("customers", "Contact"),
        ContactRole=apps.get_model("customers", "ContactRole"),
        HistoricalContact=apps.get_model("customers", "HistoricalContact"),
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_contacts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
