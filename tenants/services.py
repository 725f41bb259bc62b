"""Provisioning and lifecycle of platform tenants."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django_tenants.utils import schema_context, schema_exists

from .models import Domain, Tenant
from .spares import take_spare

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
RESERVED_SLUGS = frozenset(
    {
        "public",
        "www",
        "admin",
        "administrator",
        "api",
        "app",
        "static",
        "media",
        "mail",
        "smtp",
        "imap",
        "ftp",
        "root",
        "platform",
        "status",
        "help",
        "support",
        "docs",
        "auth",
        "login",
        "account",
        "accounts",
        "portal",
        "console",
        "dashboard",
        "billing",
        "assets",
        "information-schema",
        "information_schema",
        "template",
        "tenant-template",
        "default",
        "postgres",
        "clientele",
        "localhost",
        "test",
        "dev",
        "staging",
        "production",
    }
)


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def base_url_for(domain: str) -> str:
    port = settings.SITE_PORT
    default_port = {"http": "80", "https": "443"}[settings.SITE_SCHEME]
    suffix = f":{port}" if port and port != default_port else ""
    return f"{settings.SITE_SCHEME}://{domain}{suffix}"


def validate_tenant_slug(slug: str) -> None:
    """A slug becomes the host label and the schema name, so both sets of rules apply."""
    if not SLUG_PATTERN.match(slug or ""):
        raise ValidationError(
            "Use 2 to 40 lowercase letters, digits and hyphens, starting with a letter "
            "and not ending with a hyphen.",
            code="invalid_slug",
        )
    if "--" in slug:
        raise ValidationError("Do not use two hyphens in a row.", code="invalid_slug")
    if slug in RESERVED_SLUGS or slug.startswith(("pg-", "pg_")):
        raise ValidationError(f"“{slug}” is reserved. Choose another name.", code="reserved_slug")
    if Tenant.objects.filter(slug=slug).exists() or schema_exists(schema_name_for(slug)):
        raise ValidationError(f"A tenant called “{slug}” already exists.", code="duplicate_slug")


def ensure_template_schema() -> Tenant:
    """The schema every new tenant is cloned from; migrate_schemas keeps it current."""
    template = Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
    if template is None:
        template = Tenant(
            schema_name=settings.TENANT_BASE_SCHEMA,
            slug="tenant-template",
            name="Tenant template",
            kind=Tenant.Kind.TEMPLATE,
            is_active=False,
        )
        # The template itself is built by running migrations, not by cloning.
        with override_fake_creation(False):
            template.save(verbosity=0)
    return template


class override_fake_creation:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __enter__(self):
        self.previous = settings.TENANT_CREATION_FAKES_MIGRATIONS
        settings.TENANT_CREATION_FAKES_MIGRATIONS = self.enabled

    def __exit__(self, *exc):
        settings.TENANT_CREATION_FAKES_MIGRATIONS = self.previous


def ensure_public_tenant() -> Tenant:
    public, _ = Tenant.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={"slug": "public", "name": settings.PLATFORM_NAME, "kind": Tenant.Kind.PUBLIC},
    )
    Domain.objects.get_or_create(
        domain=settings.PLATFORM_DOMAIN, defaults={"tenant": public, "is_primary": True}
    )
    return public


def validate_provision_request(
    *, slug: str, name: str, owner_email: str, **_ignored: str
) -> tuple[str, str, str]:
    """Check a provisioning request; return the cleaned slug, name and owner email."""
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    owner_email = (owner_email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        validate_tenant_slug(slug)
    except ValidationError as exc:
        errors["slug"] = exc.messages
    else:
        domain_name = f"{slug}.{settings.PLATFORM_DOMAIN}"
        if Domain.objects.filter(domain=domain_name).exists():
            errors["slug"] = [f"The host {domain_name} is already in use."]
    if not name:
        errors["name"] = ["Give the tenant a display name."]
    elif len(name) > 100:
        errors["name"] = ["Keep the display name to 100 characters or fewer."]
    try:
        validate_email(owner_email)
    except ValidationError:
        errors["owner_email"] = ["Enter a valid email address for the owner."]
    if errors:
        raise ValidationError(errors)
    return slug, name, owner_email


def tenant_provision(
    *,
    slug: str,
    name: str,
    owner_email: str,
    owner_first_name: str = "",
    owner_last_name: str = "",
) -> Tenant:
    """Create a tenant: its schema (cloned from the template), its domain and its owner.

    Everything happens in one transaction (PostgreSQL DDL is transactional), so a failure
    leaves no tenant row, no schema and no domain behind.
    """
    from accounts.models import StaffRole
    from accounts.services import staff_invite

    slug, name, owner_email = validate_provision_request(
        slug=slug, name=name, owner_email=owner_email
    )
    ensure_template_schema()
    domain_name = f"{slug}.{settings.PLATFORM_DOMAIN}"

    with transaction.atomic():
        tenant = Tenant(schema_name=schema_name_for(slug), slug=slug, name=name)
        took_spare = take_spare(tenant.schema_name)
        tenant.save(verbosity=0)  # clones the template unless a spare became the schema
        Domain.objects.create(domain=domain_name, tenant=tenant, is_primary=True)
        with schema_context(tenant.schema_name):
            staff_invite(
                email=owner_email,
                first_name=owner_first_name,
                last_name=owner_last_name,
                role=StaffRole.OWNER,
                base_url=base_url_for(domain_name),
                workspace_name=name,
            )
        if settings.TENANT_SPARE_SCHEMAS:
            from .tasks import queue_refill

            transaction.on_commit(queue_refill)
    connection.set_schema_to_public()
    tenant.took_spare = took_spare
    return tenant
