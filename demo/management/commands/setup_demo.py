"""Bring a database to a usable state for ``make run``: platform tenant, template schema, a
platform operator and the demo tenant with one staff user per role. Safe to run again."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tenants.utils import get_tenant_model, schema_context

from accounts.models import StaffRole, User
from assets.demo import create_demo_operations
from billing.demo import create_demo_billing
from contracts.demo import create_demo_contracts
from customers.demo import create_demo_customers
from portal.demo import create_demo_portal_users
from tenants.services import base_url_for, tenant_provision
from tickets.demo import create_demo_tickets

DEMO_PASSWORD = "Clientele-demo-2026"
DEMO_SLUG = "demo"
DEMO_STAFF = [
    (StaffRole.OWNER, "owner@demo.example", "Olivia", "Owner"),
    (StaffRole.ADMIN, "admin@demo.example", "Adam", "Admin"),
    (StaffRole.STAFF, "staff@demo.example", "Sam", "Staff"),
    (StaffRole.VIEWER, "viewer@demo.example", "Vera", "Viewer"),
]
OPERATOR_EMAIL = "operator@clientele.example"


def ensure_user(*, email: str, role: str = "", first_name: str = "", last_name: str = "", **flags):
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, role=role, first_name=first_name, last_name=last_name, **flags)
    user.role, user.is_active = role, True
    for flag, value in flags.items():
        setattr(user, flag, value)
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


class Command(BaseCommand):
    help = "Create or refresh the platform records and the demo tenant, then print the logins."

    def handle(self, *args, **options):
        call_command("setup_platform")
        ensure_user(
            email=OPERATOR_EMAIL,
            first_name="Platform",
            last_name="Operator",
            is_staff=True,
            is_superuser=True,
        )

        demo = get_tenant_model().objects.filter(slug=DEMO_SLUG).first()
        if demo is None:
            demo = tenant_provision(
                slug=DEMO_SLUG,
                name="Northwind Managed Services",
                owner_email=DEMO_STAFF[0][1],
                owner_first_name=DEMO_STAFF[0][2],
                owner_last_name=DEMO_STAFF[0][3],
            )
        with schema_context(demo.schema_name):
            for role, email, first_name, last_name in DEMO_STAFF:
                ensure_user(email=email, role=role, first_name=first_name, last_name=last_name)
            create_demo_customers()
            create_demo_operations()
            customer_admin, parent_admin = create_demo_portal_users(DEMO_PASSWORD)
            suspended_admin = create_demo_billing()
            create_demo_tickets()
            create_demo_contracts()

        demo_url = base_url_for(f"{DEMO_SLUG}.{settings.PLATFORM_DOMAIN}")
        platform_url = base_url_for(settings.PLATFORM_DOMAIN)
        lines = [
            "",
            "Clientele is ready.",
            f"  Demo workspace:  {demo_url}/",
            *[f"    {role.label:<7} {email:<24} {DEMO_PASSWORD}" for role, email, *_ in DEMO_STAFF],
            f"  Company portal:  {demo_url}/portal/",
            f"    Customer admin         {customer_admin:<32} {DEMO_PASSWORD}",
            f"    Parent company admin   {parent_admin:<32} {DEMO_PASSWORD}",
            f"    Suspended (overdue)    {suspended_admin:<32} {DEMO_PASSWORD}",
            f"  Platform admin:  {platform_url}/admin/",
            f"    Operator {OPERATOR_EMAIL:<24} {DEMO_PASSWORD}",
            f"  Emails sent locally are written to {settings.EMAIL_FILE_PATH}/",
            "",
        ]
        self.stdout.write("\n".join(lines))
