"""An admin defines a "Contract tier" choice field, sets it on a customer, filters the list by
it, exports the customers with every field and re-imports the file: every row unchanged. The
settings pages, the customer page and the list pass axe; screenshots at 1280 and 390 px."""

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from customers.models import Customer
from fields.models import CustomField, Tag

from .conftest import ARTIFACTS, sign_in
from .ui_world import DESKTOP, PHONE, axe_violations, collect, describe, new_page, resize

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SHOTS = ARTIFACTS / "shots"


@pytest.fixture(scope="session")
def tierra(browser_tenant, django_db_blocker):
    """Committed before any test transaction starts, so the server process sees it."""
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        CustomField.objects.filter(object_kind="customer").delete()
        Tag.objects.filter(slug="key-account").delete()
        Tag.objects.create(name="Key account", slug="key-account", colour="purple")
        customer, _ = Customer.objects.update_or_create(
            name="Tierra Fields Ltd",
            defaults={"external_id": "TIERRA-1", "custom_field_data": {}, "country": "GB"},
        )
        Customer.objects.update_or_create(
            name="Plain Fields Ltd", defaults={"external_id": "PLAIN-1", "custom_field_data": {}}
        )
    return customer


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        resize(page, viewport)
        page.screenshot(path=str(SHOTS / f"fields_{name}_{viewport['width']}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def check_axe(page, found: dict, where: str) -> None:
    for viewport in (DESKTOP, PHONE):
        resize(page, viewport)
        collect(found, axe_violations(page), f"{where} at {viewport['width']}px")
    page.set_viewport_size(DESKTOP)


def test_define_a_contract_tier_set_it_filter_by_it_and_round_trip_the_export(
    chromium, tenant_url, tierra, tmp_path
):
    page = new_page(chromium, DESKTOP)  # with axe-core loaded
    try:
        walk(page, tenant_url, tierra, tmp_path)
    finally:
        page.context.close()


def walk(page, tenant_url, tierra, tmp_path) -> None:
    found: dict = {}
    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/settings/")
    page.get_by_role("link", name="Custom fields").click()
    expect(page.get_by_role("heading", name="Custom fields", exact=True)).to_be_visible()
    page.get_by_role("link", name="Add a field").first.click()
    page.locator("#id_object_kind").select_option("customer")
    page.locator("#id_label").fill("Contract tier")
    page.locator("#id_key").fill("contract_tier")
    page.locator("#id_field_type").select_option("choice")
    page.locator("#id_choices").fill("Gold\nSilver\nBronze")
    page.locator("#id_show_in_list").check()
    check_axe(page, found, "add a field")
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_text("Added the field Contract tier.")).to_be_visible()
    expect(page.get_by_text("cf_contract_tier")).to_be_visible()
    check_axe(page, found, "custom fields")
    shoot(page, "settings")

    # Set it (and a tag) on the customer.
    page.goto(f"{tenant_url}/customers/{tierra.pk}/edit/")
    page.get_by_label("Contract tier").select_option("Gold")
    page.get_by_label("Key account").check()
    page.get_by_role("button", name="Save").click()
    card = page.locator("section", has=page.get_by_role("heading", name="Custom fields"))
    expect(card.get_by_role("row", name=re.compile("Contract tier"))).to_contain_text("Gold")
    expect(card.get_by_text("Key account")).to_be_visible()
    check_axe(page, found, "customer page")
    shoot(page, "customer")

    # Filter the list by it: only Tierra is Gold.
    page.goto(f"{tenant_url}/customers/?cf_contract_tier=Gold")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Tierra Fields Ltd", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="Plain Fields Ltd", exact=True)).to_have_count(0)
    check_axe(page, found, "customer list")
    shoot(page, "list")

    # Export every field of the Gold customers, then import the file unchanged.
    with page.expect_download() as download:
        page.evaluate(
            "url => { window.location.href = url }",
            f"{tenant_url}/imports/customers/export.csv?cf_contract_tier=Gold",
        )
    exported = tmp_path / "tierra.csv"
    download.value.save_as(exported)
    text = exported.read_text(encoding="utf-8-sig")
    assert "cf_contract_tier" in text.splitlines()[0] and "Gold" in text
    page.goto(f"{tenant_url}/imports/customers/")
    page.get_by_label("File").set_input_files(str(exported))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("0 new, 0 updated, 1 unchanged.")).to_be_visible()
    shoot(page, "reimport")

    page.goto(f"{tenant_url}/settings/fields/tags/")
    expect(page.get_by_text("Key account")).to_be_visible()
    check_axe(page, found, "tags")
    assert not page.csp_errors, "\n".join(page.csp_errors)
    assert not found, "axe found violations:\n" + describe(found)
