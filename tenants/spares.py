"""Spare tenant schemas (DESIGN "Hosts and tenancy"): a few fully migrated copies of the
template schema, kept ready so that provisioning renames one (instant) instead of cloning the
template while the operator waits. A spare older than the template's migrations is never
handed out; the next refill replaces it."""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

SPARE_PREFIX = "spare_"
logger = logging.getLogger(__name__)
# The template as SQL, dumped once per migration state (see clone_template).
_template_sql: dict[tuple[str, tuple[int, int]], str] = {}


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
        clone_template(template, name, current)
        made += 1
    return made


def template_sql(template: str, state: tuple[int, int]) -> str:
    """The template schema (tables, indexes, sequences, its rows) as SQL, by ``pg_dump`` once
    per migration state. Session settings become transaction-local and psql's own commands
    (``\\restrict``) are left out, so the script runs through a plain cursor."""
    key = (template, state)
    if key not in _template_sql:
        from .backup import _run

        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / "template.sql"
            _run(
                "pg_dump",
                f"--schema={template}",
                "--no-owner",
                "--no-privileges",
                "--no-comments",
                "--inserts",
                f"--file={path}",
            )
            lines = []
            for line in path.read_text().splitlines():
                if line.startswith("\\") or line.startswith("--"):
                    continue
                if line.startswith("SET "):
                    line = "SET LOCAL " + line[4:]
                elif line.startswith("SELECT pg_catalog.set_config('search_path'"):
                    line = "SET LOCAL search_path = '';"
                lines.append(line)
        _template_sql.clear()
        _template_sql[key] = "\n".join(lines)
    return _template_sql[key]


def clone_template(template: str, name: str, state: tuple[int, int]) -> None:
    """A copy of the template named ``name``, in one transaction. The dumped template is
    replayed with the name swapped: a fixed amount of DDL whatever the number of tenants
    (django-tenants' clone_schema() scans every schema's catalog rows for each table and
    column, so it slowed down as tenants were added: 5 s at 12 tenants, 27 s at 60 here).
    Falls back to clone_schema() if the dump cannot be made."""
    try:
        sql = re.sub(rf"\b{re.escape(template)}\b", name, template_sql(template, state))
    except Exception:  # no pg_dump matching the server: the slower clone still works
        logger.warning("Cloning %s with clone_schema(): no usable pg_dump", template, exc_info=True)
        sql = None
    try:
        with transaction.atomic():
            if sql is None:
                CloneSchema().clone_schema(template, name, "DATA")
                restore_index_names(template, name)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql)
    finally:
        connection.set_schema_to_public()


def restore_index_names(template: str, name: str) -> int:
    """Give the clone's indexes (and so its unique constraints) the template's names.
    django-tenants' clone_schema() copies tables LIKE the template, which names indexes and
    unique constraints anew (``…_document_id_number_key`` for ``document_version_number_
    unique``): a later migration that removes or renames one by its name would fail on every
    cloned tenant. Indexes are matched by table, uniqueness and definition; returns how many
    were renamed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname IN (%s, %s)",
            [template, name],
        )
        rows = cursor.fetchall()
        by_schema: dict[str, dict] = {template: {}, name: {}}
        for schema, table, index, definition in rows:
            unique = definition.startswith("CREATE UNIQUE")
            key = (table, unique, definition.split(" USING ", 1)[-1])
            by_schema[schema].setdefault(key, []).append(index)
        existing = {row[2] for row in rows if row[0] == name}
        renamed = 0
        for key, names in by_schema[name].items():
            wanted = by_schema[template].get(key)
            if len(names) != 1 or not wanted or len(wanted) != 1:
                continue  # absent or ambiguous: leave it
            current, target = names[0], wanted[0]
            if current == target or target in existing:
                continue
            cursor.execute(
                f'ALTER INDEX "{name}"."{current}" RENAME TO "{target}"'  # catalog names
            )
            existing.add(target)
            renamed += 1
    return renamed
