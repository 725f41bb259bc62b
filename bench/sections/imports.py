"""The import of 100,000 customers: the dry run, then the all-or-nothing import."""

from __future__ import annotations

import os
import time

IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
IMPORT_TARGET = 2000  # validated rows per second


def import_csv(rows: int) -> bytes:
    """A deterministic customers file: every row valid, each column a real check."""
    import csv
    import io

    types = ["Enterprise", "SMB", "Startup", "Government", "Education", "Healthcare", "Other"]
    countries = ["US", "GB", "DE", "FR", "NL", "CA"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["name", "external_id", "industry", "business_type", "status", "website",
         "company_email", "company_phone", "contact_name", "city", "country"]
    )  # fmt: skip
    for index in range(rows):
        writer.writerow(
            [f"Imported {index:06d} Ltd", f"IMP-{index:06d}", "Retail", types[index % 7],
             "Active", f"imp{index}.example", f"info@imp{index}.example",
             f"+1 202 555 {index % 10000:04d}", "Pat Doe", "Springfield", countries[index % 6]]
        )  # fmt: skip
    return buffer.getvalue().encode()


def bench_imports() -> bool:
    """Import 100,000 customers: the dry run, then the all-or-nothing import (with history),
    each timed end to end as the worker runs them (parse, validate, store row results)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from accounts.models import User
    from imports.models import ImportJob, ImportStatus
    from imports.services import import_job_check, import_job_run
    from tenants.models import Domain, Tenant
    from tenants.services import tenant_provision

    slug = "bench-import"
    for old in Tenant.objects.filter(slug=slug):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{old.schema_name}" CASCADE')
        Domain.objects.filter(tenant=old).delete()
        Tenant.objects.filter(pk=old.pk).delete()
    tenant = tenant_provision(slug=slug, name="Import bench", owner_email="owner@import.example")
    data = import_csv(IMPORT_ROWS)
    print(
        f"Import of {IMPORT_ROWS:,} customers ({len(data) / 1e6:.1f} MB CSV; target >= {IMPORT_TARGET:,} rows/s)"
    )
    ok = True
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email="owner@import.example")
        for label in ("into an empty tenant", "again (every row unchanged)"):
            job = ImportJob.objects.create(
                kind="customers", file_name="bench.csv", file_format="csv", data=data,
                size=len(data), total_rows=IMPORT_ROWS, created_by=owner,
            )  # fmt: skip
            started = time.perf_counter()
            import_job_check(job_id=job.pk)
            checked = time.perf_counter() - started
            job.refresh_from_db()
            assert job.status == ImportStatus.READY and not job.error_count, job.error_summary
            job.status = ImportStatus.RUNNING
            job.save(update_fields=["status"])
            started = time.perf_counter()
            import_job_run(job_id=job.pk)
            imported = time.perf_counter() - started
            job.refresh_from_db()
            assert job.status == ImportStatus.DONE, job.error_summary
            for name, seconds in (("dry run", checked), ("import", imported)):
                rate = IMPORT_ROWS / seconds
                flag = "ok" if rate >= IMPORT_TARGET else f"UNDER {IMPORT_TARGET:,} rows/s"
                ok &= rate >= IMPORT_TARGET
                print(f"  {name} {label:<30} {seconds:6.1f} s  {rate:8,.0f} rows/s   {flag}")
            print(
                f"    ({job.new_count:,} new, {job.update_count:,} updated, "
                f"{job.unchanged_count:,} unchanged)"
            )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')
    Domain.objects.filter(tenant=tenant).delete()
    Tenant.objects.filter(pk=tenant.pk).delete()
    return ok
