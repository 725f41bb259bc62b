"""`make run`'s server, started the way `make run` starts it: `make serve` (the secret key made
by its recipe, gunicorn with config/gunicorn.py and the production settings, the worker beside
it) on a free loopback port against the test database, stopped like Ctrl+C stops it."""

import contextlib
import http.client
import os
import re
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest
from allauth.account.utils import user_pk_to_url_str
from django.db import connection
from django.test import override_settings

from accounts.models import User
from core.tokens import TenantPasswordResetTokenGenerator
from tenants.models import Tenant

BASE_DIR = Path(__file__).resolve().parents[2]
DEVELOPMENT_KEY = "insecure-local-development-key-change-me"
STATIC_MANIFEST = ".data/staticfiles/staticfiles.json"
ONE_YEAR = 365 * 24 * 3600

# The server reads what the session's set-up committed (the alpha and beta tenants).
pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, host: str, path: str) -> http.client.HTTPResponse:
    """A request for ``host`` (a tenant's name) to the server on loopback, as a browser
    resolving *.localhost sends it; the body is read into ``response.text``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request("GET", path, headers={"Host": f"{host}:{port}"})
    response = conn.getresponse()
    response.text = response.read().decode(errors="replace")
    conn.close()
    return response


def default_signals() -> None:
    """In the child before make starts: Ctrl+C and SIGTERM at their defaults. A test process
    may have inherited SIGINT as ignored (from whatever ran before it in the same worker), and
    a shell cannot trap a signal ignored when it started: ``make serve``'s Ctrl+C handler
    would silently never run."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def serve_command(**variables) -> list[str]:
    return ["make", "--no-print-directory", "serve", *(f"{k}={v}" for k, v in variables.items())]


def server_env(**extra) -> dict:
    """The caller's environment without test-only switches (the production settings come from
    make serve itself)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "HOST"}
        and not k.startswith(("MAKE", "MFLAGS"))
    }
    return {**env, "DATABASE_NAME": connection.settings_dict["NAME"], **extra}


class Server:
    def __init__(self, process, port: int, log: Path, key_file: Path, worker_pid: Path):
        self.process, self.port, self.log = process, port, log
        self.key_file, self.worker_pid = key_file, worker_pid
        self.worker = None

    def stop_like_ctrl_c(self) -> None:
        """SIGINT to make's process group, which is what the terminal does on Ctrl+C (make
        then ends by that signal itself, as it does in a terminal)."""
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(30)

    def kill(self) -> None:
        """After a failed test: gunicorn and the worker run in process groups of their own."""
        master = re.search(r"Listening at: \S+ \((\d+)\)", self.log.read_text())
        if self.worker is None and self.worker_pid.exists():
            self.worker = int(self.worker_pid.read_text() or 0)
        for pid in (int(master.group(1)) if master else None, self.worker):
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    work = tmp_path_factory.mktemp("make-run")
    media = work / "media"
    (media / "alpha").mkdir(parents=True)
    (media / "alpha" / "logo.txt").write_text("alpha's logo")
    port = free_port()
    env = server_env(MEDIA_ROOT=str(media), WEB_CONCURRENCY="2", TENANT_SPARE_SCHEMAS="0")
    log = work / "server.log"
    variables = {
        "PORT": port,
        "SECRET_KEY_FILE": work / "secret_key",
        "WORKER_PID": work / "worker.pid",
        "WORKER_LOG": work / "worker.log",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            serve_command(**variables),
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=default_signals,
        )
    running = Server(process, port, log, variables["SECRET_KEY_FILE"], variables["WORKER_PID"])
    # The first run after a change of the static files collects them (minutes); then seconds.
    deadline = time.monotonic() + 600
    while "Booting worker" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            running.kill()
            pytest.fail(f"make serve did not start:\n{log.read_text()}")
        time.sleep(0.1)
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                running.kill()
                pytest.fail(f"make serve stopped:\n{log.read_text()}")
            time.sleep(0.1)
    running.worker = int(variables["WORKER_PID"].read_text())
    yield running
    if process.poll() is None:
        try:
            running.stop_like_ctrl_c()
        except subprocess.TimeoutExpired:
            running.kill()


@pytest.fixture
def alpha(server, db) -> Tenant:
    return Tenant.objects.get(slug="alpha")


def test_a_tenant_page_answers_and_its_static_files_are_cached_for_good(server, alpha):
    page = get(server.port, "alpha.localhost", "/accounts/login/")
    assert page.status == 200
    assert "Alpha Services" in page.text
    stylesheet = re.search(r'href="(/static/css/clientele\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet, "static URLs carry the content's hash (collectstatic's manifest)"
    css = get(server.port, "alpha.localhost", stylesheet.group(1))
    assert css.status == 200
    assert css.getheader("Content-Type").startswith("text/css")
    cache = css.getheader("Cache-Control")
    assert "immutable" in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= ONE_YEAR


def test_debug_is_off_and_errors_are_the_products_own_pages(server, alpha):
    missing = get(server.port, "alpha.localhost", "/no-such-page/")
    assert missing.status == 404
    assert "Page not found" in missing.text
    assert "Traceback" not in missing.text
    assert "URLconf" not in missing.text  # Django's DEBUG 404 lists the URL patterns
    unknown = get(server.port, "nobody.localhost", "/")
    assert unknown.status == 404
    assert "URLconf" not in unknown.text


def test_uploads_are_served_on_their_tenants_host_only(server, alpha):
    logo = get(server.port, "alpha.localhost", "/media/alpha/logo.txt")
    assert logo.status == 200
    assert logo.text == "alpha's logo"
    assert get(server.port, "beta.localhost", "/media/alpha/logo.txt").status == 404


def test_the_secret_key_is_generated_private_and_used(server, alpha):
    key = server.key_file.read_text().strip()
    assert key != DEVELOPMENT_KEY
    assert len(key) >= 50
    assert stat.S_IMODE(server.key_file.stat().st_mode) == 0o600
    # A password reset link signed with the generated key opens the set-password step; the
    # same link signed with the development key is refused.
    connection.set_tenant(alpha)
    owner = User.objects.get(email="owner@alpha.example")

    def reset_path(secret: str) -> str:
        with override_settings(SECRET_KEY=secret):
            token = TenantPasswordResetTokenGenerator().make_token(owner)
        return f"/accounts/password/reset/key/{user_pk_to_url_str(owner)}-{token}/"

    genuine, forged = reset_path(key), reset_path(DEVELOPMENT_KEY)
    assert get(server.port, "alpha.localhost", genuine).status == 302
    refused = get(server.port, "alpha.localhost", forged)
    assert refused.status == 200
    assert "set-password" not in (refused.getheader("Location") or "")


def test_it_listens_on_loopback_only_and_stops_gracefully_with_its_worker(server, alpha):
    assert f"Listening at: http://127.0.0.1:{server.port}" in server.log.read_text()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: only picks the outgoing address
            outside = probe.getsockname()[0]
        except OSError:
            outside = None
    if outside and not outside.startswith("127."):
        with pytest.raises(OSError):
            socket.create_connection((outside, server.port), timeout=2).close()
    os.kill(server.worker, 0)  # the worker runs beside the server

    server.stop_like_ctrl_c()
    log = server.log.read_text()
    assert "Handling signal: term" in log  # gunicorn's graceful stop, not a quick exit
    assert "Shutting down: Master" in log
    deadline = time.monotonic() + 10
    while Path(f"/proc/{server.worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{server.worker}").exists(), "the worker stops with the server"
    assert not server.worker_pid.exists()


def test_a_secret_key_file_others_can_read_stops_the_start_in_one_line(tmp_path):
    exposed = tmp_path / "secret_key"
    exposed.write_text("k" * 60)
    exposed.chmod(0o644)
    result = subprocess.run(
        serve_command(
            PORT=free_port(),
            SECRET_KEY_FILE=exposed,
            WORKER_PID=tmp_path / "worker.pid",
            WORKER_LOG=tmp_path / "worker.log",
        ),
        cwd=BASE_DIR,
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"Clientele cannot start: The secret key file {exposed} is readable" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
