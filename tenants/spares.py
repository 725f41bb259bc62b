"""Spare tenant schemas (DESIGN "Hosts and tenancy"): a few fully migrated copies of the
template schema, kept ready so that provisioning renames one (instant) instead of cloning the
template while the operator waits. A spare older than the template's migrations is never
handed out; the next refill replaces it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

SPARE_PREFIX = "spare_"


def spare_schemas() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname",
            [SPARE_PREFIX.replace("_", r"\_") + "%"],
        )
        return [name for (name,) in cursor.fetchall()]


def migration_state(schema_name: str) -> tuple[int, int]:
    """How many migrations the schema has applied, and the newest one's id."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*), coalesce(max(id), 0) FROM "{schema_name}".django_migrations'
        )
        return tuple(cursor.fetchone())


def take_spare(schema_name: str) -> bool:
    """Rename a current spare to ``schema_name`` within the caller's transaction. False when
    none is ready (the caller clones the template as before)."""
    if not settings.TENANT_SPARE_SCHEMAS or not schema_exists(settings.TENANT_BASE_SCHEMA):
        return False
    current = migration_state(settings.TENANT_BASE_SCHEMA)
    for spare in spare_schemas():
        try:
            with transaction.atomic():  # a savepoint: a spare taken meanwhile is skipped
                if migration_state(spare) != current:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute(f'ALTER SCHEMA "{spare}" RENAME TO "{schema_name}"')
        except DatabaseError:
            continue
        return True
    return False


def refill_spares(count: int | None = None) -> int:
    """Drop spares the migrations have left behind and clone the template until ``count``
    (TENANT_SPARE_SCHEMAS) are ready; returns how many were made."""
    count = settings.TENANT_SPARE_SCHEMAS if count is None else count
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        return 0
    current = migration_state(template)
    ready = []
    for spare in spare_schemas():
        if migration_state(spare) == current and len(ready) < count:
            ready.append(spare)
        else:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{spare}" CASCADE')
    made = 0
    while len(ready) + made < count:
        name = f"{SPARE_PREFIX}{secrets.token_hex(6)}"
        with transaction.atomic():
            CloneSchema().clone_schema(template, name, "DATA")
        connection.set_schema_to_public()
        made += 1
    return made
