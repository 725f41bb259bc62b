from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from customers.services import purge_due_customers
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Purge soft-deleted customers whose grace period (a tenant setting) has passed."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Only this tenant's slug")

    def handle(self, *args, **options):
        tenants = Tenant.objects.customer_tenants()
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
        for tenant in tenants:
            with schema_context(tenant.schema_name):
                purged = purge_due_customers(grace_days=tenant.soft_delete_grace_days)
            if purged or options["verbosity"] > 1:
                self.stdout.write(f"{tenant.slug}: purged {purged} customer(s)")
