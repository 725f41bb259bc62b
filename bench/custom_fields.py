"""Custom fields on the customer list at 100,000 customers (issue #18): the list as it is,
then with five custom-field columns and two custom-field filters (a choice and a number
range), p50/p95 and query counts, and the plans of the filters. Uses the bench harness in its
own database: ``DATABASE_NAME=clientele_bench_fields .venv/bin/python bench/custom_fields.py``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_NAME", "clientele_bench_fields")
os.environ["DEBUG"] = "false"

TIERS = ["Gold", "Silver", "Bronze", "Platinum"]
REGIONS = ["EMEA", "AMER", "APAC"]


def fill_custom_values() -> None:
    """Five fields on every customer, in one UPDATE (random but repeatable values)."""
    from django.db import connection

    from customers.models import Customer
    from fields.models import CustomField

    if Customer.objects.exclude(custom_field_data={}).exists():
        return
    CustomField.objects.filter(object_kind="customer").delete()
    definitions = [
        ("tier", "Contract tier", "choice", TIERS),
        ("seats", "Seats", "integer", []),
        ("renewal", "Renewal", "date", []),
        ("region", "Region", "choice", REGIONS),
        ("account_manager", "Account manager", "text", []),
    ]
    for order, (key, label, kind, choices) in enumerate(definitions, start=1):
        CustomField.objects.create(
            object_kind="customer",
            key=key,
            label=label,
            field_type=kind,
            choices=choices,
            order=order * 10,
            show_in_list=True,
        )
    print("Filling custom values on every customer...", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE customers_customer SET custom_field_data = jsonb_build_object(
                'tier', (ARRAY['Gold','Silver','Bronze','Platinum'])[1 + id % 4],
                'seats', (id * 7919) % 500,
                'renewal', to_char(DATE '2026-01-01' + ((id * 31) % 730)::int, 'YYYY-MM-DD'),
                'region', (ARRAY['EMEA','AMER','APAC'])[1 + id % 3],
                'account_manager', 'Manager ' || (id % 97)
            )
            """
        )
        cursor.execute("ANALYZE customers_customer")


def main() -> int:
    from bench.harness import measure, report, setup_django

    setup_django()
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import StaffRole, User
    from bench.sections.customers import fill_customers
    from customers.models import Customer
    from tenants.models import Tenant
    from tenants.services import tenant_provision

    tenant = Tenant.objects.filter(slug="bench").first() or tenant_provision(
        slug="bench", name="Benchmark Services", owner_email="owner@bench.example"
    )
    with schema_context(tenant.schema_name):
        fill_customers(tenant)
        viewer = User.objects.filter(email="viewer@bench.example").first() or (
            User.objects.create_user(
                email="viewer@bench.example", password="unused-9-Password", role=StaffRole.VIEWER
            )
        )
    connection.set_tenant(tenant)
    client = Client(HTTP_HOST="bench.localhost")
    client.force_login(viewer)
    print(f"Customers: {Customer.objects.count():,}")
    base, base_queries = measure(client, "/customers/", {"per_page": "50"})
    report("list, no custom fields", base, base_queries, target_ms=10_000)
    fill_custom_values()
    filters = {"per_page": "50", "cf_tier": "Gold", "cf_seats_min": "100"}
    plain, plain_queries = measure(client, "/customers/", {"per_page": "50"})
    report("list + 5 custom columns", plain, plain_queries, target_ms=10_000)
    filtered, filtered_queries = measure(client, "/customers/", filters)
    report("list + 5 columns + 2 custom filters", filtered, filtered_queries, target_ms=10_000)
    import statistics

    ratio = statistics.median(filtered) / statistics.median(base)
    print(f"  with/without (p50): {ratio:.2f}x")
    with connection.cursor() as cursor:
        for label, where in (
            ("choice (@>)", 'custom_field_data @> \'{"tier": "Gold"}\''),
            (
                "choice + range",
                'custom_field_data @> \'{"tier": "Gold"}\' AND '
                "(custom_field_data ->> 'seats')::numeric >= 100",
            ),
        ):
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF, TIMING OFF, SUMMARY ON) "
                f"SELECT id FROM customers_customer WHERE deleted_at IS NULL AND NOT is_archived "
                f"AND {where} ORDER BY name, id LIMIT 50"
            )
            print(f"  plan, {label}:")
            for (line,) in cursor.fetchall():
                print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
