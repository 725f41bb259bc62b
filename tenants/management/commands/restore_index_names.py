"""Give every tenant's (and spare's) indexes and unique constraints the template's names.

Tenants cloned before spares.restore_index_names() existed carry the names django-tenants'
clone_schema() gave them (``…_document_id_number_key``), so a migration that removes or
renames an index by name would fail on them. Run once after upgrading (then migrate); it is
safe to run again: an index already named like the template's is left alone."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from tenants.models import Tenant
from tenants.spares import restore_index_names, spare_schemas


class Command(BaseCommand):
    help = "Rename cloned tenants' indexes and unique constraints to the template's names."

    def handle(self, *args, **options):
        template = settings.TENANT_BASE_SCHEMA
        schemas = list(
            Tenant.objects.exclude(schema_name__in=[template, "public"])
            .order_by("schema_name")
            .values_list("schema_name", flat=True)
        )
        schemas += spare_schemas()
        renamed = touched = 0
        for schema in schemas:
            with transaction.atomic():
                count = restore_index_names(template, schema)
            connection.set_schema_to_public()
            renamed += count
            touched += bool(count)
        indexes = "index" if renamed == 1 else "indexes"
        self.stdout.write(
            f"Renamed {renamed} {indexes} in {touched} of {len(schemas)} schemas "
            "to the template's names."
        )
