"""Contracts in a real browser: staff add a contract from the company's Contracts tab; on
its reminder day the worker's job emails the owner once, the dashboard's attention panel
lists the renewal and leads to the contract, which says by when notice is due. Axe at
desktop and phone width; screenshots in test-artifacts/shots/contracts_*."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from .conftest import ARTIFACTS, last_email_to, run_as_worker, sign_in
from .ui_world import DESKTOP, PHONE, axe_violations, collect, describe, new_page, resize

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

COMPANY = "Renewal Dynamics"
ADMIN = "admin@browser.example"
SHOTS = ARTIFACTS / "shots"


@pytest.fixture(scope="module")
def renewing(browser_tenant, django_db_blocker):
    from customers.models import Customer
    from tests.factories import CustomerFactory

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        company = Customer.objects.filter(name=COMPANY).first() or CustomerFactory(name=COMPANY)
    connection.set_schema_to_public()
    return company


def run_renewal_job() -> int:
    """What the worker runs every hour."""
    from contracts.tasks import contract_renewals

    return run_as_worker(lambda: contract_renewals(timestamp=0))


def shoot(page, found: dict, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        resize(page, viewport)
        collect(found, axe_violations(page), f"{name} at {viewport['width']}px")
        page.screenshot(
            path=str(SHOTS / f"contracts_{name}_{viewport['width']}.png"), full_page=True
        )
    page.set_viewport_size(DESKTOP)


def test_a_renewal_reminder_is_emailed_on_its_day_and_shows_on_the_dashboard(
    chromium, tenant_url, renewing
):
    run = uuid.uuid4().hex[:6]
    name = f"Managed IT {run}"
    today = timezone.localdate()
    page = new_page(chromium, DESKTOP)
    found: dict = {}
    try:
        sign_in(page, tenant_url, ADMIN)
        page.goto(f"{tenant_url}/customers/{renewing.pk}/contracts/")
        page.get_by_role("link", name="Add a contract").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Type").select_option(label="Retainer")
        page.get_by_label("Start date").fill(f"{today - timedelta(days=300):%Y-%m-%d}")
        # Its reminder day is today: 30 days' notice, reminded 30 days before that.
        page.get_by_label("End date").fill(f"{today + timedelta(days=60):%Y-%m-%d}")
        page.get_by_label("Renews automatically").check()
        page.get_by_label("Contract value").fill("18000")
        page.get_by_label("Account owner").select_option(label="Admin Tester")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()
        expect(page.locator("h1 + div .badge", has_text="Renewal due")).to_be_visible()

        # The worker's job emails the owner, once.
        assert run_renewal_job() >= 1
        email = last_email_to(ADMIN)
        assert f"Renewal due: {name} ({COMPANY})" in email and "renews automatically" in email
        assert run_renewal_job() == 0

        page.goto(f"{tenant_url}/")
        item = page.get_by_role("link", name=re.compile(r"\d+ contracts? due for renewal"))
        expect(item).to_be_visible()
        item.click()
        expect(page.get_by_role("link", name=re.compile(name))).to_be_visible()
        shoot(page, found, "list")
        page.get_by_role("link", name=re.compile(name)).click()
        expect(page.get_by_text("Renewal due: notice must be given by")).to_be_visible()
        expect(page.locator(".badge", has_text="sent")).to_be_visible()
        shoot(page, found, "detail")
        assert not found, "axe found violations:\n" + describe(found)
    finally:
        page.context.close()
