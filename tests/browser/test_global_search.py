"""The top bar's global search: "/" from any page, a fragment of an asset's serial, the
asset's page in one click; on a phone the box is an icon leading to the search page."""

import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SERIAL = "ZX9-GLOBAL-4471-QQ"


@pytest.fixture(scope="module")
def switch(browser_tenant, django_db_blocker):
    """An asset with a distinctive serial, committed so the server process sees it."""
    from assets.models import Asset
    from tests.factories import AssetFactory, CustomerFactory

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        asset = Asset.objects.filter(serial_number=SERIAL).first()
        if asset is None:
            owner = CustomerFactory(name="Search Harbour Ltd")
            asset = AssetFactory(owner=owner, name="Edge switch 7", serial_number=SERIAL)
    connection.set_schema_to_public()
    return asset


def test_slash_then_a_serial_fragment_finds_the_asset_from_any_page(page, tenant_url, switch):
    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/locations/")
    page.keyboard.press("/")
    box = page.get_by_role("searchbox", name="Search everything")
    expect(box).to_be_focused()
    box.type("4471-q", delay=20)
    result = page.locator("#global-search-results").get_by_role(
        "link", name=re.compile("Edge switch 7")
    )
    expect(result).to_be_visible()
    expect(page.locator("#global-search-results")).to_contain_text("Assets")
    page.keyboard.press("ArrowDown")
    expect(result).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/assets/{switch.pk}/$"))


def test_on_a_phone_the_search_is_a_page(page, tenant_url, switch):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/customers/")
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label(re.compile("Customers, contacts")).fill("zx9-global")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("link", name=re.compile("Edge switch 7"))).to_be_visible()
