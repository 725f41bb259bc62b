"""An owner limits a staff user to one team's customers through the pages; the staff user then
sees only that team's customers (and their sub-accounts) in the list, the search and a page."""

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def team_world(browser_tenant, django_db_blocker):
    """Committed data the server process can see."""
    from accounts.models import StaffRole
    from tests.factories import CustomerFactory, UserFactory

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        northwind = CustomerFactory(name="Northwind Teamco")
        CustomerFactory(name="Northwind Teamco Branch", parent=northwind)
        other = CustomerFactory(name="Southwind Outsider")
        limited = UserFactory(
            role=StaffRole.STAFF,
            email="limited@browser.example",
            first_name="Lim",
            last_name="Ited",
        )
    return {"northwind": northwind, "other": other, "limited": limited}


def test_an_owner_limits_a_staff_user_to_one_teams_customers(page, tenant_url, team_world):
    sign_in(page, tenant_url, "owner@browser.example")
    page.goto(f"{tenant_url}/settings/team/")
    page.get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    page.get_by_role("link", name="Add a team").first.click()
    page.get_by_label("Name").fill("Northern accounts")
    page.get_by_label("Lim Ited").check()
    search = page.get_by_label("Add a customer")
    search.fill("Northwind Teamco")
    page.locator("[data-autocomplete-option]", has_text="Northwind Teamco").first.click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved team Northern accounts.")).to_be_visible()
    expect(page.get_by_role("cell", name="Lim Ited")).to_be_visible()

    page.goto(f"{tenant_url}/settings/team/")
    page.get_by_role("link", name="Customer access of limited@browser.example").click()
    page.get_by_label("Only assigned customers").check()
    page.get_by_role("button", name="Save access").click()
    expect(page.get_by_text("Saved the customer access of Lim Ited.")).to_be_visible()
    expect(page.get_by_text("Assigned only").first).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, tenant_url, "limited@browser.example")
    page.goto(f"{tenant_url}/customers/")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Northwind Teamco", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="Northwind Teamco Branch", exact=True)).to_be_visible()
    expect(results.get_by_text("Southwind Outsider")).to_have_count(0)

    page.get_by_role("searchbox").first.fill("Southwind")
    expect(results.get_by_text("Southwind Outsider")).to_have_count(0)
    response = page.goto(f"{tenant_url}/customers/{team_world['other'].pk}/")
    assert response.status == 404
