"""Benchmarks: ``make bench``. Uses its own database (clientele_bench) on the same server,
fills a tenant with 100,000 customers once, then prints p50/p95 server times and query counts.

Times are measured in-process through Django's full request stack (middleware, views,
templates, real PostgreSQL), which is what the server spends per request.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_NAME", "clientele_bench")
os.environ["DEBUG"] = "false"

BENCH_CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
BENCH_LOCATIONS = int(os.environ.get("BENCH_LOCATIONS", "250000"))
BENCH_ASSETS = int(os.environ.get("BENCH_ASSETS", "1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
TARGET_MS = 150


def ensure_database() -> None:
    import psycopg

    from config.database import database_config

    config = database_config()
    params = {
        "host": config["HOST"],
        "user": config["USER"],
        "dbname": "postgres",
        "autocommit": True,
    }
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    if config.get("PORT"):
        params["port"] = config["PORT"]
    with psycopg.connect(**params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def setup_django():
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("setup_platform")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def report(name: str, samples: list[float], queries: int, target_ms: float = TARGET_MS) -> bool:
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    ok = p95 < target_ms
    flag = "ok" if ok else f"OVER {target_ms:.0f} ms"
    print(f"  {name:<38} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   queries {queries:3d}   {flag}")
    return ok


def measure(client, url: str, params: dict | None = None) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url, params or {})
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url, params or {})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params or {})
    return samples, len(captured)


def bench_provisioning() -> None:
    from django.db import connection
    from django.test.utils import override_settings

    from tenants.models import Domain, Tenant
    from tenants.services import override_fake_creation, tenant_provision
    from tenants.spares import refill_spares

    print("Tenant provisioning")
    spare_times, clone_times, migrate_times = [], [], []
    for index in range(5):
        refill_spares(1)  # what the background refill does between two sign-ups
        slug = f"bench-spare-{index}"
        started = time.perf_counter()
        tenant = tenant_provision(slug=slug, name=slug, owner_email=f"owner@{slug}.example")
        spare_times.append((time.perf_counter() - started) * 1000)
        assert tenant.took_spare
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queue_name = 'maintenance'")
    with override_settings(TENANT_SPARE_SCHEMAS=0):
        for index in range(5):
            slug = f"bench-clone-{index}"
            started = time.perf_counter()
            tenant_provision(slug=slug, name=slug, owner_email=f"owner@{slug}.example")
            clone_times.append((time.perf_counter() - started) * 1000)
        for index in range(2):
            slug = f"bench-migrate-{index}"
            started = time.perf_counter()
            with override_fake_creation(False):
                tenant_provision(slug=slug, name=slug, owner_email=f"owner@{slug}.example")
            migrate_times.append((time.perf_counter() - started) * 1000)
    for tenant in Tenant.objects.filter(slug__startswith="bench-"):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')
        Domain.objects.filter(tenant=tenant).delete()
        Tenant.objects.filter(pk=tenant.pk).delete()
    print(
        f"  a ready spare schema (rename)  median {statistics.median(spare_times):7.1f} ms  (n=5)"
    )
    print(
        f"  clone of the template schema   median {statistics.median(clone_times):7.1f} ms  (n=5)"
    )
    print(
        f"  replaying every migration      median {statistics.median(migrate_times):7.1f} ms  (n=2)"
    )


def fill_customers(tenant) -> None:
    import random

    from django.db import connection
    from faker import Faker

    from customers.demo import LOCALES, build_customer
    from customers.models import Customer

    existing = Customer.objects.count()
    if existing >= BENCH_CUSTOMERS:
        return
    print(f"Generating {BENCH_CUSTOMERS - existing} customers (once; kept in clientele_bench)...")
    rng = random.Random(7)
    fakers = {locale: Faker(locale) for locale, _ in LOCALES}
    for fake in fakers.values():
        fake.seed_instance(7)
    started = time.perf_counter()
    batch = []
    for index in range(existing, BENCH_CUSTOMERS):
        batch.append(build_customer(rng, fakers, index))
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
            print(f"  {index + 1} customers, {time.perf_counter() - started:.0f} s", flush=True)
    if batch:
        Customer.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")


def fill_operations() -> None:
    """250,000 locations and 1,000,000 assets spread over the customers (once)."""
    import random

    from django.db import connection

    from assets.demo import build_asset
    from assets.models import Asset
    from customers.models import Customer
    from locations.models import Location

    rng = random.Random(11)
    customer_ids = list(Customer.objects.values_list("pk", flat=True))
    existing = Location.objects.count()
    if existing < BENCH_LOCATIONS:
        print(f"Generating {BENCH_LOCATIONS - existing} locations...", flush=True)
        started = time.perf_counter()
        batch = []
        for index in range(existing, BENCH_LOCATIONS):
            location = Location(
                customer_id=rng.choice(customer_ids),
                name=f"Site {index:06d}",
                location_type=rng.choice(["office", "warehouse", "data_center", "retail", "site"]),
                city=f"City {index % 997}",
                country="US",
            )
            location.refresh_search_fields()
            batch.append(location)
            if len(batch) == 10000:
                Location.objects.bulk_create(batch)
                batch = []
        Location.objects.bulk_create(batch)
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    existing = Asset.objects.count()
    if existing < BENCH_ASSETS:
        print(f"Generating {BENCH_ASSETS - existing} assets...", flush=True)
        started = time.perf_counter()
        location_rows = list(Location.objects.values_list("pk", "customer_id"))
        batch = []
        for index in range(existing, BENCH_ASSETS):
            location_id, customer_id = rng.choice(location_rows)
            owner_id = (
                customer_id
                if rng.random() < 0.7
                else (None if rng.random() < 0.5 else rng.choice(customer_ids))
            )
            asset = build_asset(rng, index, owner=None, location=None)
            asset.owner_id, asset.location_id = (
                owner_id,
                location_id if rng.random() < 0.9 else None,
            )
            batch.append(asset)
            if len(batch) == 10000:
                Asset.objects.bulk_create(batch)
                batch = []
                if (index + 1) % 100000 == 0:
                    print(
                        f"  {index + 1} assets, {time.perf_counter() - started:.0f} s", flush=True
                    )
        Asset.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE locations_location")
        cursor.execute("VACUUM ANALYZE assets_asset")
        cursor.execute("VACUUM ANALYZE customers_customer")


def big_customer():
    """A customer with 50 locations, 2,000 assets and 40 projects."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from assets.demo import build_asset
    from assets.models import Asset
    from billing.models import Project
    from customers import services
    from customers.models import Customer
    from locations.models import Location

    customer = Customer.objects.filter(name="Benchmark Big Co").first()
    if customer is not None:
        return customer
    rng = random.Random(5)
    customer = services.customer_create(
        actor=None, name="Benchmark Big Co", business_type="enterprise"
    )
    locations = Location.objects.bulk_create(
        [
            Location(customer=customer, name=f"Big Co site {i}", location_type="office")
            for i in range(50)
        ]
    )
    today = timezone.localdate()
    Project.objects.bulk_create(
        [
            Project(
                customer=customer,
                customer_name=customer.name,
                name=f"Big project {i}",
                start_date=today - timedelta(days=rng.randint(-100, 400)),
                monthly_fee=100,
                contract_value=1000,
            )
            for i in range(40)
        ]
    )
    assets = []
    for index in range(2000):
        asset = build_asset(rng, 9_000_000 + index, owner=customer, location=rng.choice(locations))
        assets.append(asset)
    Asset.objects.bulk_create(assets)
    return customer


def history_heavy_customer():
    from customers import services
    from customers.models import Customer

    customer = Customer.objects.filter(name="Benchmark History Co").first()
    if customer is None:
        customer = services.customer_create(
            actor=None, name="Benchmark History Co", business_type="enterprise"
        )
    for index in range(customer.history.count(), 200):
        customer = services.customer_update(
            customer_id=customer.pk,
            data={"industry": f"Industry {index}", "city": f"City {index % 7}"},
            expected_version=customer.version,
            actor=None,
        )
    return customer


def bench_customers() -> bool:
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import StaffRole, User
    from tenants.models import Tenant
    from tenants.services import tenant_provision

    tenant = Tenant.objects.filter(slug="bench").first() or tenant_provision(
        slug="bench", name="Benchmark Services", owner_email="owner@bench.example"
    )
    with schema_context(tenant.schema_name):
        fill_customers(tenant)
        fill_operations()
        detail = history_heavy_customer()
        big = big_customer()
        viewer = User.objects.filter(
            email="viewer@bench.example"
        ).first() or User.objects.create_user(
            email="viewer@bench.example", password="unused-9-Password", role=StaffRole.VIEWER
        )
        from customers.models import Customer

        total = Customer.objects.count()
    client = Client(HTTP_HOST="bench.localhost")
    connection.set_tenant(tenant)
    client.force_login(viewer)
    print(f"Customers ({total} in the tenant, target p95 < {TARGET_MS} ms)")
    ok = True
    for name, url, params in [
        ("default list", "/customers/", None),
        ('search "acme"', "/customers/", {"q": "acme"}),
        ("search by phone fragment", "/customers/", {"q": "555-0177"}),
        ("broad search (30% of rows match)", "/customers/", {"q": "555 01"}),
        ("card filter (Enterprise)", "/customers/", {"business_type": "enterprise"}),
        ("sorted by industry, page 50", "/customers/", {"sort": "industry", "page": "50"}),
        ("detail", f"/customers/{detail.pk}/", None),
        ("history tab (200 versions)", f"/customers/{detail.pk}/history/", None),
        ('autocomplete "acm"', "/customers/autocomplete/", {"q": "acm"}),
    ]:
        samples, queries = measure(client, url, params)
        ok &= report(name, samples, queries)
    print("API and export (targets: API list p95 < 100 ms; export streamed in constant memory)")
    from accounts.tokens import api_token_create

    with schema_context(tenant.schema_name):
        _, secret = api_token_create(user=viewer, name="bench")
    api_client = Client(HTTP_HOST="bench.localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
    samples, queries = measure(api_client, "/api/v1/customers/", None)
    ok &= report("API customer list (cursor page of 50)", samples, queries, target_ms=100)
    samples, queries = measure(api_client, "/api/v1/customers/", {"q": "acme"})
    ok &= report('API customer search "acme"', samples, queries, target_ms=100)
    import tracemalloc

    started = time.perf_counter()
    response = client.get("/customers/", {"export": "csv"})
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    print(
        f"  CSV export of {total} customers: {elapsed:.1f} s ({total / elapsed:,.0f} rows/s), {size / 1e6:.1f} MB"
    )
    for label, params in (("8,000 rows", {"business_type": "government"}), ("all rows", {})):
        tracemalloc.start()
        response = client.get("/customers/", {"export": "csv", **params})
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  peak Python memory exporting {label} ({rows - 1:,}): {peak / 1e6:.1f} MB")
    print("Locations, assets and projects (the big customer: target p95 < 200 ms)")
    for name, url, params, target in [
        ("customer with 50 sites, 2,000 assets, 40 projects", f"/customers/{big.pk}/", None, 200),
        ("  its assets-on-location tab", f"/customers/{big.pk}/assets-on-location/", None, 200),
        ("  its history tab (merged)", f"/customers/{big.pk}/history/", None, 200),
        ("asset list (1,000,000 assets)", "/assets/", None, TARGET_MS),
        ("asset search by partial serial", "/assets/", {"q": "00123456"}, TARGET_MS),
        ("asset filter: hosted elsewhere", "/assets/", {"ownership": "elsewhere"}, TARGET_MS),
        ("location list (250,000 locations)", "/locations/", None, TARGET_MS),
    ]:
        samples, queries = measure(client, url, params)
        ok &= report(name, samples, queries, target_ms=target)
    return ok


IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
IMPORT_TARGET = 2000  # validated rows per second
TASK_COUNT = int(os.environ.get("BENCH_TASKS", "2000"))
TASK_TARGET = 200  # no-op tenant tasks per second through a real worker


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


def bench_worker() -> bool:
    """Defer N no-op tenant tasks, then time a real procrastinate worker draining them."""
    from django.db import connection
    from procrastinate.contrib.django import app

    from core.tasks import tenant_task
    from tenants.models import Tenant

    @tenant_task(queue="bench", retry=False)
    def noop() -> None:
        return None

    from tenants.services import tenant_provision

    tenant = Tenant.objects.filter(slug="bench").first() or tenant_provision(
        slug="bench", name="Benchmark Services", owner_email="owner@bench.example"
    )
    schema = tenant.schema_name
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queue_name = 'bench'")
    for _ in range(TASK_COUNT):
        noop.defer(schema_name=schema)
    print(f"Worker: {TASK_COUNT:,} no-op tenant tasks (target >= {TASK_TARGET} tasks/s)")
    ok = True
    for concurrency in (1, 4):
        if concurrency > 1:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE procrastinate_jobs SET status = 'todo' WHERE queue_name = 'bench'"
                )
        started = time.perf_counter()
        with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
            worker_app.run_worker(
                queues=["bench"],
                wait=False,
                install_signal_handlers=False,
                listen_notify=False,
                concurrency=concurrency,
            )
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, count(*) FROM procrastinate_jobs WHERE queue_name = 'bench' "
                "GROUP BY status"
            )
            statuses = dict(cursor.fetchall())
        rate = TASK_COUNT / elapsed
        flag = "ok" if rate >= TASK_TARGET else f"UNDER {TASK_TARGET}/s"
        ok &= rate >= TASK_TARGET and statuses.get("succeeded") == TASK_COUNT
        print(
            f"  concurrency {concurrency}: {elapsed:5.1f} s  {rate:7,.0f} tasks/s  {statuses}  {flag}"
        )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queue_name = 'bench'")
    return ok


BENCH_SUBSCRIPTIONS = int(os.environ.get("BENCH_SUBSCRIPTIONS", "10000"))
BENCH_INVOICES = int(os.environ.get("BENCH_INVOICES", "1000000"))
INVOICE_RUN_TARGET = 200
DASHBOARD_TARGET_MS = 300


def bench_tenant():
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import tenant_provision

    tenant = Tenant.objects.filter(slug="bench").first() or tenant_provision(
        slug="bench", name="Benchmark Services", owner_email="owner@bench.example"
    )
    with schema_context(tenant.schema_name):
        fill_customers(tenant)
    return tenant


def fill_billing() -> None:
    """10,000 subscriptions with a month of usage, and 1,000,000 synthetic past invoices (with
    payments) for the dashboard (once)."""
    from decimal import Decimal

    from django.db import connection

    from billing.models import Invoice, Metric, Plan, PlanTier, Subscription, UsageRecord

    if not Plan.objects.filter(name="Bench plan").exists():
        plan = Plan.objects.create(
            name="Bench plan", monthly_fee=Decimal("99.00"), seat_fee=Decimal("12.50")
        )
        for metric in Metric.objects.all():
            PlanTier.objects.create(plan=plan, metric=metric, up_to=1000, unit_price=0)
            PlanTier.objects.create(plan=plan, metric=metric, up_to=None, unit_price="0.01")
    plan = Plan.objects.get(name="Bench plan")
    if Subscription.objects.count() < BENCH_SUBSCRIPTIONS:
        print(f"Generating {BENCH_SUBSCRIPTIONS:,} subscriptions with usage (once)...")
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO billing_subscription
                    (customer_id, plan_id, seats, start_date, status, anchor_day,
                     created_at, updated_at)
                SELECT id, %s, 1 + id %% 20, DATE '2025-01-01', 'active', 1, now(), now()
                FROM customers_customer ORDER BY id LIMIT %s
                """,
                [plan.pk, BENCH_SUBSCRIPTIONS],
            )
            cursor.execute(
                """
                INSERT INTO billing_subscriptionterm (subscription_id, plan_id, seats, effective_from)
                SELECT id, plan_id, seats, start_date FROM billing_subscription
                """
            )
    if not UsageRecord.objects.exists():
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO billing_usagerecord
                    (customer_id, metric_id, day, quantity, source, created_at)
                SELECT s.customer_id, m.id, d::date, 100 + (s.id * 7 + m.id) % 900, 'import', now()
                FROM billing_subscription s CROSS JOIN billing_metric m
                CROSS JOIN generate_series(DATE '2025-11-03', DATE '2025-11-24', interval '7 days') d
                """
            )
    if Invoice.objects.count() < BENCH_INVOICES:
        print(f"Generating {BENCH_INVOICES:,} invoices with payments (once, about a minute)...")
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO billing_invoice
                    (customer_id, customer_name, number, period_start, period_end, status,
                     issue_date, due_date, currency, subtotal, tax_rate, tax, total,
                     amount_paid, recurring_total, paid_on, billing_address, billing_email,
                     void_reason, created_at, updated_at)
                SELECT c.id, c.name, 'B-' || lpad(row_number() OVER ()::text, 8, '0'),
                       m::date, (m + interval '1 month' - interval '1 day')::date,
                       CASE WHEN c.id %% 50 = 0 THEN 'overdue'
                            WHEN c.id %% 20 = 0 THEN 'issued' ELSE 'paid' END,
                       (m + interval '1 month')::date, (m + interval '1 month 14 days')::date,
                       'USD', 100 + c.id %% 400, 0, 0, 100 + c.id %% 400,
                       CASE WHEN c.id %% 20 = 0 THEN 0 ELSE 100 + c.id %% 400 END,
                       99 + 12.5 * (1 + c.id %% 20), NULL, '', '', '', now(), now()
                FROM customers_customer c
                CROSS JOIN generate_series(DATE '2025-12-01', DATE '2026-11-01', interval '1 month') m
                LIMIT %s
                """,
                [BENCH_INVOICES],
            )
            cursor.execute(
                """
                INSERT INTO billing_payment
                    (invoice_id, amount, method, paid_on, reference, created_at)
                SELECT id, total, 'bank_transfer', LEAST(issue_date + 5, CURRENT_DATE), '', now()
                FROM billing_invoice WHERE status = 'paid' AND number LIKE 'B-%%'
                """
            )
            cursor.execute("ANALYZE")


def bench_billing() -> bool:
    """The invoice run over 10,000 subscriptions, and the dashboard and invoice list over
    100,000 customers and 1,000,000 invoices."""
    from datetime import date

    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import StaffRole, User
    from billing.models import Invoice, InvoiceLine
    from billing.services.invoicing import invoice_run

    tenant = bench_tenant()
    ok = True
    month = date(2025, 11, 1)  # the synthetic invoices cover the 12 months after it
    with schema_context(tenant.schema_name):
        fill_billing()
        old = Invoice.objects.filter(period_start=month)
        InvoiceLine.objects.filter(invoice__in=old).delete()
        Invoice.history.filter(period_start=month).delete()
        old.delete()
        print(
            f"Invoice run ({BENCH_SUBSCRIPTIONS:,} subscriptions; target >= {INVOICE_RUN_TARGET} invoices/s)"
        )
        started = time.perf_counter()
        run = invoice_run(month=month, actor=None)
        seconds = time.perf_counter() - started
        rate = run.created_count / seconds
        flag = "ok" if rate >= INVOICE_RUN_TARGET else f"UNDER {INVOICE_RUN_TARGET} invoices/s"
        ok &= rate >= INVOICE_RUN_TARGET
        print(
            f"  first run     {run.created_count:6,} invoices  {seconds:6.1f} s  {rate:7,.0f} invoices/s   {flag}"
        )
        started = time.perf_counter()
        again = invoice_run(month=month, actor=None)
        print(
            f"  same month again: {again.created_count} created, {again.existing_count:,} "
            f"already invoiced, {time.perf_counter() - started:.1f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs WHERE status = 'todo'")
            # What autovacuum does to a settled table, done now so the figures do not depend
            # on when it wakes up (index-only scans need the visibility map).
            for table in ("billing_invoice", "billing_payment", "customers_customer"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        viewer = User.objects.filter(
            email="viewer@bench.example"
        ).first() or User.objects.create_user(
            email="viewer@bench.example", password="unused-9-Password", role=StaffRole.VIEWER
        )
        invoices = Invoice.objects.count()
    client = Client(HTTP_HOST="bench.localhost")
    connection.set_tenant(tenant)
    client.force_login(viewer)
    print(f"Billing pages ({invoices:,} invoices; dashboard target p95 < {DASHBOARD_TARGET_MS} ms)")
    for name, url, params, target in [
        ("dashboard (12 months)", "/", None, DASHBOARD_TARGET_MS),
        ("dashboard (24 months)", "/", {"months": "24"}, DASHBOARD_TARGET_MS),
        ("invoice list", "/billing/invoices/", None, TARGET_MS),
        ("invoice list, overdue", "/billing/invoices/", {"status": "overdue"}, TARGET_MS),
        ('invoice search "B-0004"', "/billing/invoices/", {"q": "B-0004"}, TARGET_MS),
        ("payments", "/billing/payments/", None, TARGET_MS),
    ]:
        samples, queries = measure(client, url, params)
        ok &= report(name, samples, queries, target)
    connection.set_schema_to_public()
    return ok


SECTIONS = ("provisioning", "customers", "imports", "worker", "billing")


def main() -> int:
    """BENCH_ONLY=imports,worker runs only those sections (provisioning, customers, imports,
    worker, billing); by default all."""
    setup_django()
    only = [name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()]
    chosen = only or list(SECTIONS)
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        print(f"Unknown BENCH_ONLY section(s): {', '.join(unknown)}; choose from {SECTIONS}")
        return 2
    sections = {
        "provisioning": lambda: bench_provisioning() or True,
        "customers": bench_customers,
        "imports": bench_imports,
        "worker": bench_worker,
        "billing": bench_billing,
    }
    from django.db import connection

    ok = True
    for name in chosen:
        connection.set_schema_to_public()  # each section starts where a fresh process would
        ok &= sections[name]()
    print("All targets met." if ok else "Some targets missed (see OVER/UNDER above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
