"""``make bench-http`` (``python -m bench.http_bench``; not ``bench/http.py``: run as a script
from bench/, that name would shadow the standard library's ``http`` for ``bench/run.py``): the
product measured over HTTP, the way browsers and API clients use it.

Starts the production server (gunicorn with config/gunicorn.py, the production settings, 2
workers) on a free loopback port against the bench database (clientele_bench, filled once by
``make bench``'s own loaders: 100,000 customers, 250,000 locations, 1,000,000 assets), then
drives it with 1 and with 8 concurrent clients (threads, one keep-alive ``http.client``
connection each; gunicorn's sync workers close after each answer, so each request also pays a
TCP connect on loopback, as a browser's new request to a sync server does). Prints p50/p95 as
the client sees them (request sent → body read) and requests per second for each scenario,
then the targets with PASS/MISS. Bounded: ``BENCH_HTTP_REQUESTS`` requests per client count
(default 40 with one client, 15 each with eight) and ``BENCH_HTTP_SECONDS`` per run (20); the
server is stopped at the end whatever happens. Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_NAME", "clientele_bench")
os.environ["DEBUG"] = "false"
# One key for this process (which makes the session) and the server (which checks it).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

REQUESTS_ONE = int(os.environ.get("BENCH_HTTP_REQUESTS", "40"))
REQUESTS_EACH = max(5, REQUESTS_ONE * 3 // 8)
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "20"))
CLIENTS = (1, int(os.environ.get("BENCH_HTTP_CLIENTS", "8")))
WORKERS = os.environ.get("BENCH_HTTP_WORKERS", "2")
HOST = "bench.localhost"


@dataclass
class Scenario:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    api: bool = False


@dataclass
class Result:
    samples: list[float]
    seconds: float
    errors: int

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        from bench.harness import percentile

        return percentile(self.samples, 0.95) if self.samples else float("nan")

    @property
    def rate(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare() -> dict:
    """The bench tenant with its data (made once by make bench's loaders; reused after), a
    viewer signed in (a session cookie) and an API token."""
    from bench.harness import setup_django

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import StaffRole, User
    from accounts.tokens import api_token_create
    from bench.sections.customers import fill_customers, fill_operations, history_heavy_customer
    from customers.models import Customer
    from tenants.models import Tenant
    from tenants.services import tenant_provision

    tenant = Tenant.objects.filter(slug="bench").first() or tenant_provision(
        slug="bench", name="Benchmark Services", owner_email="owner@bench.example"
    )
    with schema_context(tenant.schema_name):
        fill_customers(tenant)
        fill_operations()
        detail = history_heavy_customer()
        viewer = User.objects.filter(
            email="viewer@bench.example"
        ).first() or User.objects.create_user(
            email="viewer@bench.example", password="unused-9-Password", role=StaffRole.VIEWER
        )
        _, token = api_token_create(user=viewer, name="bench-http")
        total = Customer.objects.count()
    connection.set_tenant(tenant)
    client = Client(HTTP_HOST=HOST)
    client.force_login(viewer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    connection.set_schema_to_public()
    connection.close()
    return {"cookie": cookie, "token": token, "detail": detail.pk, "customers": total}


def scenarios(ctx: dict, port: int) -> list[Scenario]:
    htmx = {
        "HX-Request": "true",
        "HX-Target": "results",
        "HX-Trigger": "id_q",
        "HX-Trigger-Name": "q",
        "HX-Current-URL": f"http://{HOST}:{port}/customers/",
    }
    return [
        Scenario("customer list", "/customers/"),
        Scenario('search "acme" (full page)', "/customers/?q=acme"),
        Scenario('search "acme" (htmx partial)', "/customers/?q=acme", htmx),
        Scenario('rare-term search "History Co"', "/customers/?q=History+Co"),
        Scenario("deep page (page 1000)", "/customers/?page=1000"),
        Scenario("API customer list", "/api/v1/customers/", api=True),
        Scenario('API customer search "acme"', "/api/v1/customers/?q=acme", api=True),
        Scenario("customer detail", f"/customers/{ctx['detail']}/"),
        Scenario("asset list (1,000,000 assets)", "/assets/"),
    ]


class Server:
    """gunicorn in a process group of its own; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, port: int, workers: str = WORKERS, **extra_env: str):
        self.port = port
        self.log = BASE_DIR / ".data" / "bench-http-server.log"
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG"}},
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SITE_SCHEME": "http",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": workers,
            "TENANT_SPARE_SCHEMAS": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            **extra_env,
        }
        self.out = self.log.open("w")
        self.process = subprocess.Popen(
            [str(BASE_DIR / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=self.out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"The server did not start:\n{self.log.read_text()}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(25)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        self.out.close()


def run(port: int, scenario: Scenario, ctx: dict, clients: int) -> Result:
    headers = {"Host": f"{HOST}:{port}", **scenario.headers}
    if scenario.api:
        headers.update(Authorization=f"Bearer {ctx['token']}", Accept="application/json")
    else:
        headers.update(Cookie=ctx["cookie"], Accept="text/html")
    count = REQUESTS_ONE if clients == 1 else REQUESTS_EACH
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [float("inf")]  # set once every client is warm

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(3):  # warm-up: the page's code paths and this worker's caches
            get(conn, scenario.path, headers)
        start.wait()
        start.wait()  # the second barrier: the deadline is set
        for _ in range(count):
            if time.monotonic() > deadline[0]:
                break
            began = time.perf_counter()
            status = get(conn, scenario.path, headers)
            if status == 200:
                mine.append((time.perf_counter() - began) * 1000)
            else:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    deadline[0] = time.monotonic() + SECONDS
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    return Result(samples, time.perf_counter() - began, errors[0])


def get(conn: http.client.HTTPConnection, path: str, headers: dict) -> int:
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        return response.status
    except (OSError, http.client.HTTPException):
        conn.close()
        return 0


def main() -> int:
    ctx = prepare()
    port = free_port()
    print(
        f"HTTP bench: gunicorn ({WORKERS} workers, production settings) on 127.0.0.1:{port}, "
        f"tenant {HOST} with {ctx['customers']:,} customers"
    )
    server = Server(port)
    results: dict[tuple[str, int], Result] = {}
    try:
        for scenario in scenarios(ctx, port):
            for clients in CLIENTS:
                result = run(port, scenario, ctx, clients)
                results[scenario.name, clients] = result
                errors = f"   {result.errors} errors" if result.errors else ""
                print(
                    f"  {scenario.name:<34} {clients} client{'s' if clients > 1 else ' '}  "
                    f"p50 {result.p50:7.1f} ms  p95 {result.p95:7.1f} ms  "
                    f"{result.rate:6.1f} req/s{errors}",
                    flush=True,
                )
    finally:
        server.stop()
    return targets(results)


def targets(results: dict[tuple[str, int], Result]) -> int:
    many = CLIENTS[1]
    checks = [
        ("customer list p50 <= 25 ms (1 client)", results["customer list", 1].p50, 25, "<="),
        (
            "search partial p50 <= full page p50 (1 client)",
            results['search "acme" (htmx partial)', 1].p50,
            results['search "acme" (full page)', 1].p50,
            "<=",
        ),
        ("API list p50 <= 15 ms (1 client)", results["API customer list", 1].p50, 15, "<="),
        (
            f"customer list >= 60 req/s ({many} clients)",
            results["customer list", many].rate,
            60,
            ">=",
        ),
    ]
    print("Targets")
    missed = 0
    for label, value, limit, op in checks:
        ok = value <= limit if op == "<=" else value >= limit
        missed += not ok
        print(f"  {'PASS' if ok else 'MISS'}  {label}: {value:.1f} (limit {limit:.1f})")
    errors = sum(result.errors for result in results.values())
    if errors:
        print(f"  {errors} requests did not answer 200 (see .data/bench-http-server.log)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
