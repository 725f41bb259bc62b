"""The customer's old primary and billing contact fields go (0014 made contacts of what they
held), from the customer and from its history: the history's copies would be personal data
that no erasure reaches, as nothing models them any more."""

from django.db import migrations

LEGACY_FIELDS = (
    "billing_contact_name",
    "billing_email",
    "billing_phone",
    "contact_email",
    "contact_name",
    "contact_phone",
)


class Migration(migrations.Migration):
    dependencies = [("customers", "0014_contacts_from_fields_since")]

    operations = [
        migrations.RemoveField(model_name=model, name=name)
        for model in ("customer", "historicalcustomer")
        for name in LEGACY_FIELDS
    ]
