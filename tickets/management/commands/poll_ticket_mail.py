from pathlib import Path

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tickets.imap import poll_current_tenant_imap
from tickets.mailbox import PollResult, maildir_of, poll_maildir


class Command(BaseCommand):
    help = (
        "Read waiting support mail: each tenant's Maildir folder "
        "(TICKETS_MAILDIR_ROOT/<schema>/) and IMAP mailbox (if it has one) become tickets, "
        "replies or triage."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="Only this tenant's folder.")
        parser.add_argument("--path", help="Read this Maildir instead (needs --schema).")

    def handle(self, *args, schema=None, path=None, **options):
        tenants = Tenant.objects.customer_tenants()
        if schema:
            tenants = tenants.filter(schema_name=schema)
        total = PollResult()
        for tenant in tenants:
            folder = path or maildir_of(tenant.schema_name)
            with schema_context(tenant.schema_name):
                result = poll_maildir(Path(folder))
                if tenant.reads_imap and not path:
                    read = poll_current_tenant_imap()
                    if read is None:
                        self.stderr.write(f"{tenant.schema_name}: IMAP failed (see its settings)")
                    else:
                        result += PollResult(read.read, read.failed)
            if result.read or result.failed:
                self.stdout.write(
                    f"{tenant.schema_name}: {result.read} read, {result.failed} failed"
                )
            total += result
        self.stdout.write(f"Read {total.read} messages ({total.failed} failed).")
