"""Provisioning and lifecycle of platform tenants."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django_tenants.utils import schema_context, schema_exists

from core.services import model_update

from .models import Domain, Tenant
from .spares import restore_index_names, take_spare

logger = logging.getLogger(__name__)

# What the workspace owner changes on the console's Settings page.
WORKSPACE_SETTINGS_FIELDS = [
    "name",
    "currency",
    "locale",
    "timezone",
    "soft_delete_grace_days",
]
# The platform operator's change form also turns a tenant on and off and allows internal
# receivers for its webhooks (core.outbound); the tenant's own staff never change these.
PLATFORM_SETTINGS_FIELDS = [*WORKSPACE_SETTINGS_FIELDS, "is_active", "outbound_allowed_networks"]

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


def current_base_url(tenant=None) -> str:
    """The current tenant's address on its primary domain, for links in emails the worker
    sends ("" when it has none)."""
    tenant = tenant or Tenant.objects.filter(schema_name=connection.schema_name).first()
    if tenant is None:
        return ""
    domain = tenant.domains.filter(is_primary=True).values_list("domain", flat=True).first()
    return base_url_for(domain) if domain else ""


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
        if not took_spare:
            restore_index_names(settings.TENANT_BASE_SCHEMA, tenant.schema_name)
        # The new tenant's first and only domain: nothing to demote, so one INSERT instead of
        # Domain.save()'s savepoint, demoting UPDATE and INSERT.
        Domain.objects.bulk_create([Domain(domain=domain_name, tenant=tenant, is_primary=True)])
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


@transaction.atomic
def tenant_settings_update(
    *, tenant: Tenant, data: dict[str, Any], fields: list[str], actor
) -> Tenant:
    """Save the ``fields`` named of a tenant's settings from ``data`` (other keys of ``data``
    are ignored). The row is locked and read afresh; nothing is written when no value
    differs. ``tenant`` (e.g. ``request.tenant``) gets the saved values too.

    Tenants keep no history table (they live in the public schema, their staff in their own
    schemas), so who changed what is logged, after commit, on the ``tenants.services``
    logger: the tenant, the actor's email and id and each field's old → new value."""
    return _tenant_update(tenant=tenant, data=data, fields=fields, actor=actor)[0]


@transaction.atomic
def tenant_set_active(*, tenant: Tenant, active: bool, actor) -> bool:
    """Open or close a tenant's host (its data is kept). Returns whether it changed."""
    _, changed = _tenant_update(
        tenant=tenant, data={"is_active": active}, fields=["is_active"], actor=actor
    )
    return bool(changed)


def _tenant_update(
    *, tenant: Tenant, data: dict[str, Any], fields: list[str], actor
) -> tuple[Tenant, list[str]]:
    refused = sorted(set(fields) - set(PLATFORM_SETTINGS_FIELDS))
    if refused:
        raise ValueError(f"These tenant settings cannot be changed here: {refused}")
    row = Tenant.objects.select_for_update().get(pk=tenant.pk)
    before = {name: getattr(row, name) for name in fields}
    row, changed = model_update(
        instance=row,
        fields=list(fields),
        data={name: data[name] for name in fields if name in data},
        actor=actor,
        reason="Settings changed",
    )
    for name in changed:
        setattr(tenant, name, getattr(row, name))
    if changed:
        summary = ", ".join(
            f"{name}: {before[name]!r} → {getattr(row, name)!r}" for name in changed
        )
        who = f"{actor.email} (#{actor.pk})" if actor is not None else "the system"
        slug = row.slug
        transaction.on_commit(
            lambda: logger.info("Tenant %s: settings changed by %s: %s", slug, who, summary)
        )
    return row, changed
