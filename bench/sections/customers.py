"""Customers, locations and assets: 100,000 customers (250,000 locations, 1,000,000 assets)
filled once, then the list, search, detail, history, API and CSV export timed."""

from __future__ import annotations

import os
import time

from bench.harness import TARGET_MS, measure, report

BENCH_CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
BENCH_LOCATIONS = int(os.environ.get("BENCH_LOCATIONS", "250000"))
BENCH_ASSETS = int(os.environ.get("BENCH_ASSETS", "1000000"))


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
    print("Global search (customers, contacts, locations, assets, invoices, projects; < 50 ms)")
    live = Client(HTTP_HOST="bench.localhost", HTTP_HX_REQUEST="true")
    live.force_login(viewer)
    for name, searcher, params in [
        ('page "acme"', client, {"q": "acme"}),
        ('live partial "acme"', live, {"q": "acme"}),
        ("live partial, serial fragment", live, {"q": "00123456"}),
        ('live partial, rare "zq"', live, {"q": "zq"}),
    ]:
        samples, queries = measure(searcher, "/search/", params)
        ok &= report(name, samples, queries, target_ms=50)
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
