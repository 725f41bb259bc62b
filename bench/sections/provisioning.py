"""Tenant provisioning: a ready spare schema, a clone of the template, every migration."""

from __future__ import annotations

import statistics
import time


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
