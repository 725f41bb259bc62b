from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tenants.backup import BackupError, tenant_backup
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Back up one tenant (its whole schema and platform record) to a zip file."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="File to write (default .data/backups/<slug>-<time>.zip)",
        )

    def handle(self, *args, slug, output=None, **options):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant called “{slug}”.")
        path = output or Path(".data/backups") / f"{slug}-{timezone.now():%Y%m%d-%H%M%S}.zip"
        try:
            tenant_backup(tenant=tenant, path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size / 1e6
        self.stdout.write(f"Backed up “{slug}” to {path} ({size:.1f} MB).")
