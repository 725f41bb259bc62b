from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.services import ensure_public_tenant, ensure_template_schema
from tenants.spares import refill_spares


class Command(BaseCommand):
    help = "Create what every installation needs: cache table, platform host, template schema."

    def handle(self, *args, **options):
        call_command("createcachetable", verbosity=0)
        ensure_public_tenant()
        ensure_template_schema()
        refill_spares()
