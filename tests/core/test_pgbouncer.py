"""PgBouncer in transaction mode in front of the embedded PostgreSQL (and Django's own psycopg
pool, the other supported setup), the production server
(gunicorn, config/gunicorn.py, the production settings) behind it, and two tenants' API clients
reading and writing at the same time: every answer and every row stays in its own tenant.

PgBouncer gets one server connection per database (``default_pool_size = 1``), so the server's
workers take turns on it transaction by transaction: the worst case for a schema kept per
connection. Without ``DATABASE_POOLER=pgbouncer-transaction`` (django-tenants' session-level
``SET search_path``, set once per connection) the same traffic crosses tenants:
``test_without_the_pooler_mode_tenants_cross`` shows it, so the main test can fail.
"""

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import StaffRole, User
from accounts.tokens import api_token_create
from customers.models import Customer

from .test_make_run import BASE_DIR, STATIC_MANIFEST, free_port, server_env

pytestmark = pytest.mark.django_db
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
ROUNDS = 6  # per client; two clients per tenant
DROP_ROUNDS = 12
PREFIX = "pgb"


def wait_for_port(port: int, process: subprocess.Popen, log: Path, what: str) -> None:
    import socket

    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                pytest.fail(f"{what} did not start:\n{log.read_text()}")
            time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


class PgBouncer:
    """PgBouncer 1.18 (Debian's; ``make test`` installs it) on a free loopback port, transaction
    pooling, trusting the embedded server's own trust authentication on its Unix socket."""

    def __init__(self):
        if not Path(PGBOUNCER).exists():
            pytest.fail("pgbouncer is not installed: `make test` installs it (apt-get).")
        settings = connection.settings_dict
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="clientele-pgbouncer-"))
        self.log = self.dir / "pgbouncer.log"
        (self.dir / "users.txt").write_text(f'"{settings["USER"]}" ""\n')
        socket_dir = settings["HOST"]
        (self.dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={socket_dir} port={settings['PORT'] or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.dir / 'users.txt'}\n"
            "pool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 50\n"
            f"admin_users = {settings['USER']}\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.log}\n"
        )
        command = [PGBOUNCER, str(self.dir / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root: run it as the cluster's owner
            owner = Path(socket_dir).stat().st_uid
            self.dir.chmod(0o755)
            for path in [self.dir, *self.dir.iterdir()]:
                os.chown(path, owner, -1)
            import pwd

            command[1:1] = ["-u", pwd.getpwuid(owner).pw_name]
        self.log.touch()
        if os.geteuid() == 0:
            os.chown(self.log, Path(socket_dir).stat().st_uid, -1)
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for_port(self.port, self.process, self.log, "pgbouncer")

    def admin(self, command: str) -> None:
        """A command on PgBouncer's admin console (e.g. ``KILL db``)."""
        import psycopg

        user = connection.settings_dict["USER"]
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=user, dbname="pgbouncer", autocommit=True
        ) as admin:
            admin.execute(command)

    def close(self) -> None:
        stop(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """The production server (2 gunicorn workers) with its database behind PgBouncer."""

    def __init__(self, pgbouncer: PgBouncer | None, pooler: str, tmp: Path):
        subprocess.run(  # make test has collected them; a no-op then
            ["make", "--no-print-directory", STATIC_MANIFEST], cwd=BASE_DIR, check=True
        )
        name = connection.settings_dict["NAME"]
        user = connection.settings_dict["USER"]
        self.port = free_port()
        self.log = tmp / f"server-{pooler or 'none'}.log"
        env = server_env(
            DJANGO_SETTINGS_MODULE="config.settings.prod",
            SECRET_KEY=secrets.token_urlsafe(40),
            SITE_SCHEME="http",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            DATABASE_POOLER=pooler,
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY="2",
            TENANT_SPARE_SCHEMAS="0",
        )
        if pgbouncer is not None:
            env["DATABASE_URL"] = f"postgres://{user}@127.0.0.1:{pgbouncer.port}/{name}"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(BASE_DIR / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, self.process, self.log, "gunicorn")

    def request(self, method: str, host: str, path: str, token: str = "", body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": f"{host}:{self.port}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            conn.close()

    def close(self) -> None:
        stop(self.process)


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup, django_db_blocker):
    running = PgBouncer()
    yield running
    running.close()


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """A staff member with an API token in alpha and in beta (committed: the server reads
    them); their customers are removed afterwards."""
    made = {}
    with django_db_blocker.unblock():
        for slug in ("alpha", "beta"):
            with schema_context(slug):
                email = f"pgbouncer-{secrets.token_hex(3)}@{slug}.example"
                user = User.objects.create_user(
                    email=email, password=secrets.token_urlsafe(), role=StaffRole.STAFF
                )
                made[slug] = (user, api_token_create(user=user, name="pgbouncer")[1])
    yield {slug: secret for slug, (_, secret) in made.items()}
    with django_db_blocker.unblock():
        for slug, (user, _) in made.items():
            with schema_context(slug):
                Customer.history.filter(name__startswith=PREFIX).delete()
                Customer.objects.filter(name__startswith=PREFIX).delete()
                user.delete()
        connection.set_schema_to_public()


def traffic(server: Server, tokens: dict, label: str) -> list[str]:
    """Two clients per tenant at once, each alternating a write (create), a read of what it
    wrote (detail) and a read of the list; returns every answer that was not its own tenant's."""
    wrong: list[str] = []
    start = threading.Barrier(4)

    def client(slug: str, number: int) -> None:
        host, token = f"{slug}.localhost", tokens[slug]
        start.wait()
        for index in range(ROUNDS):
            name = f"{PREFIX}-{label}-{slug}-{number}-{index}"
            status, body = server.request("POST", host, "/api/v1/customers/", token, {"name": name})
            if status != 201 or json.loads(body).get("name") != name:
                wrong.append(f"{slug} create {name}: {status} {body[:120]}")
                continue
            pk = json.loads(body)["id"]
            status, body = server.request("GET", host, f"/api/v1/customers/{pk}/", token)
            if status != 200 or json.loads(body).get("name") != name:
                wrong.append(f"{slug} detail {pk}: {status} {body[:120]}")
            status, body = server.request(
                "GET", host, f"/api/v1/customers/?q={PREFIX}-{label}", token
            )
            names = [row["name"] for row in json.loads(body)["results"]] if status == 200 else []
            if status != 200 or any(f"-{slug}-" not in other for other in names):
                wrong.append(f"{slug} list: {status} {names or body[:120]}")

    threads = [
        threading.Thread(target=client, args=(slug, number))
        for slug in ("alpha", "beta")
        for number in (1, 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return wrong


def stored(label: str) -> dict[str, list[str]]:
    names = {}
    for slug in ("alpha", "beta"):
        with schema_context(slug):
            names[slug] = list(
                Customer.objects.filter(name__startswith=f"{PREFIX}-{label}-").values_list(
                    "name", flat=True
                )
            )
    connection.set_schema_to_public()
    return names


def test_two_tenants_through_pgbouncer_each_see_and_write_only_their_own(
    pgbouncer, tokens, tmp_path, django_db_blocker
):
    server = Server(pgbouncer, "pgbouncer-transaction", tmp_path)
    try:
        wrong = traffic(server, tokens, "safe")
    finally:
        server.close()
    assert wrong == [], "\n".join(wrong)
    with django_db_blocker.unblock():
        names = stored("safe")
    for slug in ("alpha", "beta"):
        assert len(names[slug]) == 2 * ROUNDS
        assert all(f"-{slug}-" in name for name in names[slug]), names


def test_with_djangos_psycopg_pool_each_tenant_sees_and_writes_only_its_own(
    tokens, tmp_path, django_db_blocker
):
    """The other supported setup: Django's own pool in each worker (no PgBouncer)."""
    server = Server(None, "psycopg-pool", tmp_path)
    try:
        wrong = traffic(server, tokens, "pool")
    finally:
        server.close()
    assert wrong == [], "\n".join(wrong)
    with django_db_blocker.unblock():
        names = stored("pool")
    for slug in ("alpha", "beta"):
        assert len(names[slug]) == 2 * ROUNDS
        assert all(f"-{slug}-" in name for name in names[slug]), names


def test_without_the_pooler_mode_tenants_cross(pgbouncer, tokens, tmp_path, django_db_blocker):
    """The same traffic with django-tenants' default (search_path set once per connection):
    requests run in the other tenant's schema. This is what the mode above prevents."""
    server = Server(pgbouncer, "", tmp_path)
    try:
        wrong = []
        for attempt in range(3):  # interleaving is a matter of timing: a few tries
            wrong = traffic(server, tokens, f"unsafe{attempt}")
            if wrong:
                break
    finally:
        server.close()
    assert wrong, "expected answers from the wrong tenant without DATABASE_POOLER"


def test_a_pooler_dropping_connections_mid_traffic_gives_clear_errors_and_no_crossed_rows(
    pgbouncer, tokens, tmp_path, django_db_blocker
):
    """PgBouncer's KILL drops every client and server connection of the database while both
    tenants write: an answer is the tenant's own or the product's plain error page (no stack
    trace), and no row lands in the other tenant's schema."""
    server = Server(pgbouncer, "pgbouncer-transaction", tmp_path)
    answers: list[tuple[str, int, str]] = []
    running = threading.Event()

    def client(slug: str) -> None:
        for index in range(DROP_ROUNDS):
            name = f"{PREFIX}-drop-{slug}-{index}"
            status, body = server.request(
                "POST", f"{slug}.localhost", "/api/v1/customers/", tokens[slug], {"name": name}
            )
            answers.append((slug, status, body))
            running.set()

    threads = [threading.Thread(target=client, args=(slug,)) for slug in ("alpha", "beta")]
    database = connection.settings_dict["NAME"]
    try:
        for slug in ("alpha", "beta"):  # each worker warm: the drops fall on writes
            server.request("GET", f"{slug}.localhost", "/api/v1/customers/", tokens[slug])
        for thread in threads:
            thread.start()
        running.wait(30)
        while any(thread.is_alive() for thread in threads):
            pgbouncer.admin(f"KILL {database}")
            pgbouncer.admin(f"RESUME {database}")
            time.sleep(0.4)
        for thread in threads:
            thread.join(60)
        # Once the pooler is back, both tenants are served again.
        for slug in ("alpha", "beta"):
            status, body = server.request(
                "GET", f"{slug}.localhost", "/api/v1/customers/", tokens[slug]
            )
            assert status == 200, body[:300]
    finally:
        server.close()
    failures = [(slug, status, body) for slug, status, body in answers if status != 201]
    for slug, status, body in answers:
        if status == 201:
            assert f"-{slug}-" in json.loads(body)["name"]
        elif status == 400:
            # Django's Q.check() takes a database error while validating a conditional unique
            # constraint for a violation (it logs a warning): a refused write, nothing stored.
            assert "is violated" in body, (slug, status, body[:300])
        else:
            assert status in (500, 502, 503), (slug, status, body[:300])
            assert "Traceback" not in body and "psycopg" not in body
            assert "Something went wrong" in body or "error" in body.lower()
    with django_db_blocker.unblock():
        names = stored("drop")
    for slug in ("alpha", "beta"):
        assert all(f"-{slug}-" in name for name in names[slug]), names
    created = {json.loads(body)["name"] for _, status, body in answers if status == 201}
    assert created <= set(names["alpha"]) | set(names["beta"])
    assert len(answers) > len(failures)  # traffic went through between the drops
