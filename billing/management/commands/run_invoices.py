"""Run a month's invoices for one tenant or all: ``manage.py run_invoices --month 2026-10``."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from billing import money
from billing.services.invoice_runs import invoice_run
from core.formats import locale_override
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Create (and issue) the month's invoices; running a month again creates nothing new."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--tenant", help="tenant slug (default: every tenant)")
        parser.add_argument("--draft", action="store_true", help="create drafts, do not issue")
        parser.add_argument(
            "--no-email", action="store_true", help="issue without emailing the invoices"
        )

    def handle(self, *args, month=None, tenant=None, draft=False, no_email=False, **options):
        if month:
            try:
                first = datetime.strptime(month, "%Y-%m").date()
            except ValueError as error:
                raise CommandError(f"--month must look like 2026-10, not {month!r}.") from error
        else:
            first = money.add_months(timezone.localdate().replace(day=1), -1)
        tenants = Tenant.objects.customer_tenants()
        if tenant:
            tenants = tenants.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"No tenant {tenant!r}.")
        for each in tenants:
            with schema_context(each.schema_name), locale_override(each.locale):
                try:
                    run = invoice_run(month=first, actor=None, issue=not draft, notify=not no_email)
                except ValidationError as error:
                    raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(
                f"{each.slug}: {first:%B %Y}: {run.created_count} created, "
                f"{run.existing_count} already invoiced, {run.not_due_count} not over yet, "
                f"{run.email_count} emailed"
            )
