import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.services import base_url_for, tenant_provision


class Command(BaseCommand):
    help = (
        "Create a tenant: schema (cloned from the template), domain <slug>.PLATFORM_DOMAIN, owner."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Lowercase letters, digits and hyphens, e.g. acme-msp")
        parser.add_argument("--name", required=True, help="Display name of the tenant")
        parser.add_argument("--owner-email", required=True, help="Gets a set-password email")
        parser.add_argument("--owner-first-name", default="")
        parser.add_argument("--owner-last-name", default="")

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            tenant = tenant_provision(
                slug=options["slug"],
                name=options["name"],
                owner_email=options["owner_email"],
                owner_first_name=options["owner_first_name"],
                owner_last_name=options["owner_last_name"],
            )
        except ValidationError as exc:
            lines = [
                f"{field}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
            raise CommandError("Nothing was created.\n" + "\n".join(lines)) from exc
        elapsed = time.perf_counter() - started
        host = f"{tenant.slug}.{settings.PLATFORM_DOMAIN}"
        self.stdout.write(
            self.style.SUCCESS(
                f"Provisioned {tenant.name} in {elapsed * 1000:.0f} ms at {base_url_for(host)}/ "
                f"(schema {tenant.schema_name}); a set-password email went to the owner."
            )
        )
