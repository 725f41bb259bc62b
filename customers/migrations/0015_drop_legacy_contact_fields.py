"""The customer's old primary and billing contact fields go (0014 made contacts of what they
held). The customer's history keeps its columns, no longer written (nullable now), so past
versions still say who the contacts were."""

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
        *[migrations.RemoveField(model_name="customer", name=name) for name in LEGACY_FIELDS],
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="historicalcustomer", name=name)
                for name in LEGACY_FIELDS
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE customers_historicalcustomer "
                    + ", ".join(f"ALTER COLUMN {name} DROP NOT NULL" for name in LEGACY_FIELDS),
                    migrations.RunSQL.noop,
                )
            ],
        ),
    ]
