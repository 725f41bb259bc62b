from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm lives in the public schema, which is on every tenant's search_path, so each
    tenant's trigram indexes and lookups find its operators."""

    dependencies = [("tenants", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
