from django.db import migrations, models

# What the seller profile's number format (billing, per tenant schema) becomes: the locale on
# the tenant row now decides how every number is written, read with the tenant per request.
FORMAT_TO_LOCALE = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "ch": "de-CH"}


def carry_number_formats(apps, schema_editor):
    """Each tenant's locale from its seller profile's number format, where one was chosen."""
    Tenant = apps.get_model("tenants", "Tenant")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for tenant in Tenant.objects.exclude(schema_name="public").only("pk", "schema_name"):
            table = connection.ops.quote_name(tenant.schema_name) + ".billing_sellerprofile"
            cursor.execute("SELECT to_regclass(%s)", [table])
            if cursor.fetchone()[0] is None:
                continue
            cursor.execute(f"SELECT number_format FROM {table} WHERE id = 1")
            row = cursor.fetchone()
            if row and FORMAT_TO_LOCALE.get(row[0], "en-US") != "en-US":
                Tenant.objects.filter(pk=tenant.pk).update(locale=FORMAT_TO_LOCALE[row[0]])


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_tenant_outbound_allowed_networks"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="locale",
            field=models.CharField(
                choices=[
                    ("en-US", "English (US): 1,234,567.89 · $5.00 · Dec 1, 2026"),
                    ("de-DE", "German (Germany): 1.234.567,89 · 5,00 € · 01.12.2026"),
                    ("fr-FR", "French (France): 1 234 567,89 · 5,00 € · 01/12/2026"),
                    ("de-CH", "Swiss: 1’234’567.89 · CHF 5.00 · 01.12.2026"),
                ],
                default="en-US",
                help_text=(
                    "How numbers, money and dates are written on pages, PDFs and emails (CSV "
                    "exports stay machine-readable). The interface stays in English."
                ),
                max_length=5,
                verbose_name="number and date format",
            ),
        ),
        migrations.RunPython(carry_number_formats, migrations.RunPython.noop, elidable=True),
    ]
