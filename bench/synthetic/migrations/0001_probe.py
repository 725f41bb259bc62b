"""A new nullable column on every tenant's customer table, and back (the tenancy bench)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE customers_customer ADD COLUMN bench_probe integer NULL",
            "ALTER TABLE customers_customer DROP COLUMN bench_probe",
        )
    ]
