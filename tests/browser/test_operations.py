import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def globex(browser_tenant, django_db_blocker):
    """Committed data the server process can see: a customer with sites, assets, projects."""
    from tests.factories import AssetFactory, CustomerFactory, LocationFactory, ProjectFactory

    today = timezone.localdate()
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        globex = CustomerFactory(name="Globex Corporation", business_type="enterprise")
        hq = LocationFactory(customer=globex, name="Globex HQ", location_type="headquarters")
        LocationFactory(customer=globex, name="Globex Warehouse", location_type="warehouse")
        partner_site = LocationFactory(name="Initrode Data Center", location_type="data_center")
        AssetFactory(name="GLX-SRV-1", location=hq)
        AssetFactory(name="GLX-SRV-2", location=hq)
        AssetFactory(name="GLX-HOSTED-1", location=partner_site, owner=globex)
        ProjectFactory(
            customer=globex,
            name="Network refresh",
            start_date=today - timedelta(days=20),
            contract_value=48000,
        )
        ProjectFactory(customer=globex, name="Office move", start_date=today + timedelta(days=20))
        ProjectFactory(
            customer=globex,
            name="Old audit",
            start_date=today - timedelta(days=200),
            end_date=today - timedelta(days=100),
        )
    return globex


def test_customer_overview_bulk_move_and_archived_location_in_dropdown(page, tenant_url, globex):
    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/customers/{globex.pk}/")

    # The overview summarises value, projects, assets and sites.
    expect(page.locator("[data-figure=customer-value]")).to_contain_text("48,000.00")
    expect(page.get_by_role("link", name=re.compile(r"^1\s+active"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^1\s+upcoming"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^1\s+past"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^2\s+on location"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^3\s+owned"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^2\s+locations"))).to_be_visible()

    # Click through to its assets that sit elsewhere.
    page.get_by_role("link", name="1 of its own elsewhere").click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("GLX-HOSTED-1")
    expect(rows.first).to_contain_text("Initrode Data Center")

    # Move both HQ servers to the warehouse in one bulk action.
    page.goto(f"{tenant_url}/assets/?q=GLX-SRV")
    page.get_by_role("checkbox", name="Select all").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    page.get_by_label("Bulk action").select_option("move")
    page.get_by_label("New location").fill("warehouse")
    page.get_by_role("option", name=re.compile("Globex Warehouse")).click()
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("Changed 2 assets.")).to_be_visible()
    expect(page.locator("#results tbody tr", has_text="GLX-SRV-1")).to_contain_text(
        "Globex Warehouse"
    )
    expect(page.locator("#results tbody tr", has_text="GLX-SRV-2")).to_contain_text(
        "Globex Warehouse"
    )

    # Archive a location; it leaves the dropdown but is found again by its name.
    page.goto(f"{tenant_url}/customers/{globex.pk}/locations/")
    page.get_by_role("link", name="Globex HQ", exact=True).click()
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".badge", has_text="Archived")).to_be_visible()
    page.goto(f"{tenant_url}/assets/add/")
    location_box = page.get_by_label("Location")
    location_box.focus()
    expect(page.get_by_role("option", name=re.compile("Globex Warehouse"))).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Globex HQ"))).to_have_count(0)
    location_box.fill("Globex HQ")
    option = page.get_by_role("option", name=re.compile("Globex HQ"))
    expect(option).to_contain_text("Archived")
    option.click()
    expect(location_box).to_have_value("Globex HQ (Globex Corporation)")
