from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenants.backup import BackupError, tenant_restore


class Command(BaseCommand):
    help = (
        "Restore a tenant from a backup made by tenant_backup: recreates it if it is gone; "
        "replaces an existing tenant's data only with --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--replace", action="store_true", help="Replace the existing tenant's data."
        )

    def handle(self, *args, path, replace=False, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            tenant = tenant_restore(path=path, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored “{tenant.slug}” from {path}.")
