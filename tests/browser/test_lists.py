"""Lists as people use them: choose columns, save a view, bulk-change the status of three
customers and find it in their history; the row menu and the selection on a phone; dense rows
at 1440 × 900. Screenshots go to test-artifacts/shots/lists_*.png: look at them."""

import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from .conftest import ARTIFACTS, sign_in
from .ui_world import PHONE, axe_violations, collect, describe, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SHOTS = ARTIFACTS / "shots"
ADMIN = "admin@browser.example"
PREFIX = "Listwalk"


@pytest.fixture(scope="module")
def list_world(browser_tenant, django_db_blocker):
    """Thirty customers named for this test (committed, so the server sees them); afterwards
    they and the admin's list choices go again, so the other browser tests' lists (first
    page, columns) are as they expect."""
    from accounts.models import BulkJob, ListPreference, SavedView, User
    from customers.models import Customer
    from tests.factories import CustomerFactory

    def clean() -> None:
        Customer.objects.filter(name__startswith=PREFIX).delete()
        admin = User.objects.filter(email=ADMIN)
        ListPreference.objects.filter(user__in=admin).delete()
        BulkJob.objects.filter(actor__in=admin).delete()
        SavedView.objects.filter(owner__in=admin).delete()

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        clean()
        for index in range(30):
            CustomerFactory(
                name=f"{PREFIX} {index:02d} Trading",
                status="prospect",
                business_type="smb",
                industry="Retail",
                website=f"https://listwalk{index:02d}.example",
            )
        connection.set_schema_to_public()
    yield PREFIX
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        clean()
        connection.set_schema_to_public()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"lists_{name}.png"))


def results(page):
    return page.locator("#results")


def test_choose_columns_save_a_view_and_bulk_change_status(chromium, tenant_url, list_world):
    page = new_page(chromium, {"width": 1440, "height": 900})
    found: dict = {}
    sign_in(page, tenant_url, ADMIN)
    page.goto(f"{tenant_url}/customers/?q={PREFIX}&per_page=25")
    rows = results(page).locator("tbody tr")
    expect(rows).to_have_count(25)
    # Dense rows: at least 15 whole rows inside the window at 1440 × 900.
    visible = page.evaluate(
        """() => [...document.querySelectorAll('#results tbody tr')]
              .filter((row) => row.getBoundingClientRect().bottom <= window.innerHeight).length"""
    )
    shoot(page, "desktop_list")
    assert visible >= 15, f"only {visible} rows fit at 1440 × 900"
    collect(found, axe_violations(page), "customers at 1440")

    # The row menu: one button per row, named after the record, opened by keyboard.
    menu = page.get_by_role("button", name=f"Actions for {PREFIX} 00 Trading")
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Edit").first).to_be_visible()
    shoot(page, "desktop_row_menu")
    page.keyboard.press("Escape")

    # Columns: leave out Industry and Website, put Status first.
    page.get_by_role("button", name="Columns").click()
    page.get_by_role("checkbox", name="Industry", exact=True).uncheck()
    page.get_by_role("checkbox", name="Website", exact=True).uncheck()
    for _ in range(4):
        page.get_by_role("button", name="Move Status up").click()
    shoot(page, "desktop_columns")
    page.get_by_role("button", name="Show these columns").click()
    headers = page.locator("#results thead th")
    expect(headers.nth(1)).to_have_text("Status")
    expect(page.locator("#results thead")).not_to_contain_text("Industry")

    # Save the search as a shared view; it opens again from the Views menu.
    page.get_by_role("button", name="Views").click()
    page.get_by_role("button", name="Save current view…").click()
    page.get_by_label("Name", exact=True).fill("Listwalk prospects")
    page.get_by_label("Share with the team").check()
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("Saved the view “Listwalk prospects”.")).to_be_visible()
    expect(page.get_by_role("button", name="View: Listwalk prospects")).to_be_visible()
    page.goto(f"{tenant_url}/customers/?view=none")
    page.get_by_role("button", name="Views").click()
    page.get_by_role("link", name=re.compile("Listwalk prospects")).click()
    expect(page).to_have_url(re.compile(rf"q={PREFIX}"))
    expect(results(page).locator("tbody tr")).to_have_count(25)

    # Bulk: three customers to Active.
    for index in range(3):
        results(page).get_by_role("row", name=re.compile(f"{PREFIX} 0{index} Trading")).get_by_role(
            "checkbox"
        ).check()
    expect(page.get_by_text("3 selected")).to_be_visible()
    page.get_by_label("Bulk action").select_option("status")
    page.locator("#bulk-value-status").select_option("active")
    shoot(page, "desktop_bulk_bar")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("Done: 3 of 3 rows changed.")).to_be_visible()
    collect(found, axe_violations(page), "bulk change summary")
    shoot(page, "desktop_bulk_done")

    # The change is in the customer's history, by the admin.
    page.get_by_role("link", name=f"{PREFIX} 01 Trading").click()
    page.get_by_role("link", name=re.compile("History")).first.click()
    expect(page.locator("main")).to_contain_text("Active")
    expect(page.locator("main")).to_contain_text("Admin")
    assert not found, describe(found)
    page.context.close()


def test_the_row_menu_and_selection_work_on_a_phone(chromium, tenant_url, list_world):
    page = new_page(chromium, PHONE)
    found: dict = {}
    sign_in(page, tenant_url, ADMIN)
    page.goto(f"{tenant_url}/customers/?q={PREFIX}&view=none")
    menu = page.get_by_role("button", name=f"Actions for {PREFIX} 05 Trading")
    expect(menu).to_be_visible()
    shoot(page, "phone_list")
    collect(found, axe_violations(page), "customers at 390")
    menu.click()
    view = page.get_by_role("link", name="View", exact=True)
    expect(view).to_be_visible()
    shoot(page, "phone_row_menu")
    page.keyboard.press("Escape")
    results(page).get_by_role("row", name=re.compile(f"{PREFIX} 05 Trading")).get_by_role(
        "checkbox"
    ).check()
    expect(page.get_by_text("1 selected")).to_be_visible()
    page.get_by_role("button", name="Columns").click()
    expect(page.get_by_role("button", name="Show these columns")).to_be_in_viewport()
    shoot(page, "phone_columns")
    assert not found, describe(found)
    page.context.close()
