"""Tenancy at scale (``make bench-tenants``; ``BENCH_TENANTS``, default 1,000; 10,000 fits
this machine's disk at about 5 MB a schema): N tenants made through the product's
provisioning path (a spare schema cloned from the template, then ``tenant_provision`` renames
it, as a sign-up does), then, at N:

- provisioning time (the operator's wait: taking a ready spare) for the last tenants made, next
  to the first ones (does it grow with N?), and the background clone that refills the spare;
- a list page over HTTP from the production server (1 gunicorn worker): the first request
  after the worker starts, a cold tenant (the first request for a tenant this worker has not
  served) and a warm one (the same tenant again), p50/p95;
- the worker's memory (RSS) after touching 100 and 1,000 tenants;
- ``migrate_schemas`` with the batch executor for one new migration (bench/synthetic:
  a column added to every tenant's customer table) across every tenant, and taking it back;
- one tenant's backup (tenants/backup.py).

Tenants made once are kept in clientele_bench_tenants (slugs ``bt-00001``...); a second run only adds
what is missing. Targets: provisioning <= 50 ms, cold tenant p50 within 1.5x warm, one
migration across 1,000 tenants <= 10 minutes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import percentile

BENCH_TENANTS = int(os.environ.get("BENCH_TENANTS", "1000"))
SLUG = "bt-{:05d}"
SAMPLED = int(os.environ.get("BENCH_TENANTS_SAMPLED", "30"))  # cold/warm pairs
BASE_DIR = Path(__file__).resolve().parents[2]


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def make_tenants(count: int) -> tuple[list[float], list[float]]:
    """Provision bench tenants until ``count`` exist; returns (provision ms, refill clone ms)
    for the ones made now."""
    from django.db import connection
    from django.test.utils import override_settings

    from tenants.models import Tenant
    from tenants.services import tenant_provision
    from tenants.spares import refill_spares

    existing = Tenant.objects.filter(slug__startswith="bt-").count()
    provision, clone = [], []
    if existing >= count:
        return provision, clone
    print(
        f"  making {count - existing} tenants (once; kept in clientele_bench_tenants)...",
        flush=True,
    )
    started_all = time.perf_counter()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", TENANT_SPARE_SCHEMAS=1
    ):
        for index in range(existing, count):
            started = time.perf_counter()
            refill_spares(1)  # what the background refill does between two sign-ups
            clone.append(_ms(started))
            slug = SLUG.format(index + 1)
            started = time.perf_counter()
            tenant = tenant_provision(slug=slug, name=f"Tenant {slug}", owner_email=f"o@{slug}.ex")
            provision.append(_ms(started))
            assert tenant.took_spare, "no spare was ready"
            if (index + 1) % 100 == 0:
                elapsed = time.perf_counter() - started_all
                print(
                    f"    {index + 1} tenants, {elapsed:.0f} s; last 100: provision p50 "
                    f"{statistics.median(provision[-100:]):.1f} ms, clone p50 "
                    f"{statistics.median(clone[-100:]):.0f} ms",
                    flush=True,
                )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queue_name = 'maintenance'")
    return provision, clone


def provision_at_n(rounds: int = 10) -> list[float]:
    """``rounds`` more tenants provisioned with N already there (then removed)."""
    from django.db import connection
    from django.test.utils import override_settings

    from tenants.models import Domain, Tenant
    from tenants.services import tenant_provision
    from tenants.spares import refill_spares

    times = []
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", TENANT_SPARE_SCHEMAS=1
    ):
        for index in range(rounds):
            refill_spares(1)
            slug = f"btn-{index}"
            started = time.perf_counter()
            tenant_provision(slug=slug, name=slug, owner_email=f"o@{slug}.ex")
            times.append(_ms(started))
    for tenant in Tenant.objects.filter(slug__startswith="btn-"):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')
        Domain.objects.filter(tenant=tenant).delete()
        Tenant.objects.filter(pk=tenant.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queue_name = 'maintenance'")
    return times


def sessions(slugs: list[str]) -> dict[str, str]:
    """A signed-in viewer's session cookie for each tenant (made directly, as a login would)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_tenants.utils import schema_context

    from accounts.models import StaffRole, User

    cookies = {}
    for slug in slugs:
        with schema_context(slug.replace("-", "_")):
            email = f"viewer@{slug}.ex"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email, password="unused-9-Password", role=StaffRole.VIEWER
            )
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.save()
            cookies[slug] = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    return cookies


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_pid(master: int) -> int:
    """The gunicorn worker's pid (the master listens before it forks: wait for it)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                        return int(entry.name)
                except (OSError, IndexError, ValueError):
                    continue
        time.sleep(0.2)
    raise RuntimeError("no gunicorn worker found")


def over_http(slugs: list[str]) -> dict:
    """Cold and warm list pages and the worker's memory, from one production worker."""
    import http.client
    import secrets

    from django.test.utils import override_settings

    from bench.http_bench import Server, free_port

    key = secrets.token_urlsafe(50)  # the server's: sessions are signed with it
    with override_settings(SECRET_KEY=key):
        cookies = sessions(slugs)
    port = free_port()
    server = Server(port, workers="1", SECRET_KEY=key)
    figures: dict = {"cold": [], "warm": [], "rss": {}}

    def get(slug: str) -> float:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        conn.request(
            "GET", "/customers/", headers={"Host": f"{slug}.localhost", "Cookie": cookies[slug]}
        )
        response = conn.getresponse()
        response.read()
        conn.close()
        assert response.status == 200, (slug, response.status)
        return _ms(started)

    try:
        pid = worker_pid(server.process.pid)
        figures["rss"][0] = rss_kb(pid)
        figures["first"] = get(slugs[0])
        for slug in slugs[1 : SAMPLED + 1]:
            figures["cold"].append(get(slug))
            figures["warm"].append(get(slug))
        for touched, slug in enumerate(slugs, start=1):
            get(slug)
            if touched in (1, 10, 100, 1000, 10000, len(slugs)):
                figures["rss"][touched] = rss_kb(pid)
    finally:
        server.stop()
    return figures


def migrate_all() -> float:
    """One new migration across every tenant with the default (batch) executor (seconds); then
    taken back directly in SQL (only the forward run is the figure)."""
    from django.db import connection

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.tenancy_settings"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "bench_synthetic"]
        + ["--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    forward = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.columns "
            "WHERE table_name = 'customers_customer' AND column_name = 'bench_probe'"
        )
        for (schema,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{schema}".customers_customer DROP COLUMN bench_probe')
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s', ["bench_synthetic"]
            )
        # The public schema records it too (without the table): so the next run starts equal.
        cursor.execute("DELETE FROM public.django_migrations WHERE app = %s", ["bench_synthetic"])
    return forward


def bench_tenancy() -> bool:
    from django.db import connection

    from tenants.backup import tenant_backup
    from tenants.models import Tenant

    print(f"Tenancy at scale ({BENCH_TENANTS} tenants)")
    provision, clone = make_tenants(BENCH_TENANTS)
    if provision:
        first, last = provision[:20], provision[-20:]
        print(
            f"  provisioning (take a spare): first 20 p50 {statistics.median(first):.1f} ms, "
            f"last 20 p50 {statistics.median(last):.1f} ms"
        )
        print(
            f"  background clone of the template (the spare's refill): first 20 p50 "
            f"{statistics.median(clone[:20]):.0f} ms, last 20 p50 "
            f"{statistics.median(clone[-20:]):.0f} ms"
        )
    at_n = provision_at_n()
    ok = statistics.median(at_n) <= 50
    print(
        f"  provisioning at N={BENCH_TENANTS}: p50 {statistics.median(at_n):.1f} ms, "
        f"p95 {percentile(at_n, 0.95):.1f} ms  {'ok' if ok else 'OVER 50 ms'}"
    )
    slugs = list(
        Tenant.objects.filter(slug__startswith="bt-")
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    connection.set_schema_to_public()
    figures = over_http(slugs)
    cold, warm = figures["cold"], figures["warm"]
    ratio = statistics.median(cold) / statistics.median(warm)
    ok_cold = ratio <= 1.5
    ok &= ok_cold
    print(f"  first request after the worker starts: {figures['first']:.0f} ms")
    print(
        f"  list page, cold tenant: p50 {statistics.median(cold):.1f} ms, p95 "
        f"{percentile(cold, 0.95):.1f} ms; warm: p50 {statistics.median(warm):.1f} ms, p95 "
        f"{percentile(warm, 0.95):.1f} ms; cold/warm {ratio:.2f}  "
        f"{'ok' if ok_cold else 'OVER 1.5x'}"
    )
    for touched, kb in sorted(figures["rss"].items()):
        print(f"  worker RSS after touching {touched:>5} tenants: {kb / 1024:.0f} MB")
    forward = migrate_all()
    limit = 600 * len(slugs) / 1000
    ok_migrate = forward <= limit
    ok &= ok_migrate
    print(
        f"  migrate_schemas, one new migration across {len(slugs) + 1} schemas "
        f"(batch executor): {forward:.0f} s  "
        f"{'ok' if ok_migrate else f'OVER {limit:.0f} s'}"
    )
    tenant = Tenant.objects.get(slug=slugs[-1])
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        tenant_backup(tenant=tenant, path=Path(work) / "backup.zip")
        size = (Path(work) / "backup.zip").stat().st_size
        print(f"  one tenant's backup: {_ms(started):.0f} ms ({size / 1024:.0f} KB)")
    connection.set_schema_to_public()
    return ok
