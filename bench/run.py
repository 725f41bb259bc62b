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

    from tenants.models import Domain, Tenant
    from tenants.services import override_fake_creation, tenant_provision

    print("Tenant provisioning")
    clone_times, migrate_times = [], []
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
        detail = history_heavy_customer()
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
    return ok


def main() -> int:
    setup_django()
    bench_provisioning()
    ok = bench_customers()
    print("All targets met." if ok else "Some targets missed (see OVER above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
