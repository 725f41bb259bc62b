"""Browser tests: a real server process on loopback against the test database, driven by
Debian's Chromium through Playwright. Their data is committed in a tenant of their own."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import StaffRole, User
from tenants.models import Tenant
from tenants.services import tenant_provision
from tests.factories import PASSWORD

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = BASE_DIR / "test-artifacts"
# The test server's mail folder and log, one per test database: runs against different
# databases at once (developers running parts in parallel, pytest-xdist's workers) never
# clear each other's mail.
RUN = "-".join(
    filter(
        None, [os.environ.get("DATABASE_NAME", "default"), os.environ.get("PYTEST_XDIST_WORKER")]
    )
)
MAIL_DIR = ARTIFACTS / "mail" / RUN
SERVER_LOG = ARTIFACTS / f"server-{RUN}.log"

# Playwright's sync API keeps an event loop in this thread; the fixtures below only touch the
# database outside test transactions, so Django's async-safety guard may stand down here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser_tenant(django_db_setup, django_db_blocker) -> Tenant:
    assert connection.settings_dict["NAME"].startswith("test_"), (
        "Browser tests must run on the test database: mark them with pytest.mark.django_db"
    )
    with django_db_blocker.unblock():
        tenant = Tenant.objects.filter(slug="browser").first() or tenant_provision(
            slug="browser", name="Browser Test Services", owner_email="owner@browser.example"
        )
        with schema_context(tenant.schema_name):
            for role in StaffRole.values:
                user, _ = User.objects.get_or_create(
                    email=f"{role}@browser.example",
                    defaults={"role": role, "first_name": role.title(), "last_name": "Tester"},
                )
                user.set_password(PASSWORD)
                user.save()
                EmailAddress.objects.update_or_create(
                    user=user, email=user.email, defaults={"verified": True, "primary": True}
                )
        connection.set_schema_to_public()
    return tenant


@pytest.fixture(scope="session")
def live_server_port(browser_tenant) -> int:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_NAME": connection.settings_dict["NAME"],
        "SITE_PORT": str(port),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(MAIL_DIR),
        "API_RATE_LIMIT": "1000000/hour",  # the schemathesis run is not a client to throttle
        # Every browser test signs in from 127.0.0.1, like a whole office behind one address:
        # the per-address limit would lock out later tests after a few deliberate failures
        # elsewhere in the run (tests/accounts/test_sign_in.py covers it); the per-account
        # limit stays.
        "LOGIN_FAILED_RATE_LIMIT": "1000/5m/ip,5/5m/key",
        # Invoice runs in chunks of two payers: a consolidated parent and its sub-accounts far
        # apart must still make one complete invoice (tests/browser/test_billing.py).
        "INVOICE_RUN_CHUNK": "2",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ARTIFACTS.mkdir(exist_ok=True)
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    for old in MAIL_DIR.iterdir():
        old.unlink()
    log = open(SERVER_LOG, "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # System checks alone take ~30 s when the machine is busy (several test runs at once).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError as refused:
            if server.poll() is not None:
                raise RuntimeError(f"Test server exited; see {SERVER_LOG}") from refused
            time.sleep(0.2)
    else:
        server.kill()
        raise RuntimeError("Test server did not start within 120 s")
    yield port
    server.terminate()
    server.wait(10)
    log.close()


@pytest.fixture(scope="session")
def tenant_url(live_server_port, browser_tenant) -> str:
    return f"http://{browser_tenant.slug}.localhost:{live_server_port}"


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    """A fresh browser tab. Whatever the test clicks through, the content security policy must
    never have blocked anything on the way (Chromium reports each refusal on the console), and
    htmx must not have reported an error (a malformed trigger, a failed swap)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.script_errors = []
    page.on(
        "console",
        lambda message: (
            page.script_errors.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or message.text.startswith("htmx:")
            else None
        ),
    )
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not page.script_errors, "\n".join(page.script_errors)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    # Wait for the answer to the POST (a redirect when signed in, the form again when not):
    # a test that navigates on at once could cancel it and run signed out.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def last_email_to(address: str) -> str:
    """The newest email the test server wrote for ``address`` (file backend)."""
    for path in sorted(MAIL_DIR.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        for message in path.read_text().split("-" * 79):
            if f"To: {address}" in message:
                return message
    raise AssertionError(f"No email to {address} in {MAIL_DIR}")


def run_as_worker(job, **settings):
    """Run ``job()`` as the worker would: on a connection of its own that commits (the test's
    own connection sits in a transaction that would keep rows locked from the server), with
    its emails going where the server's go (and any other ``settings``)."""
    import threading

    from django.test import override_settings

    results, errors = [], []

    def work():
        try:
            results.append(job())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(MAIL_DIR),
        **settings,
    ):
        worker = threading.Thread(target=work)
        worker.start()
        worker.join(60)
    assert errors == []
    return results[0]
