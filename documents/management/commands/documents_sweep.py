from datetime import timedelta

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from documents.services import documents_sweep_orphans
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Remove stored document files no version names (an upload interrupted between "
        "storing the file and committing its rows), older than an hour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Only this tenant's slug")
        parser.add_argument("--minutes", type=int, default=60, help="Minimum age of a file")

    def handle(self, *args, **options):
        tenants = Tenant.objects.customer_tenants()
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
        age = timedelta(minutes=max(options["minutes"], 1))
        for tenant in tenants:
            with schema_context(tenant.schema_name):
                removed = documents_sweep_orphans(older_than=age)
            if removed or options["verbosity"] > 1:
                self.stdout.write(f"{tenant.slug}: removed {removed} orphaned file(s)")
