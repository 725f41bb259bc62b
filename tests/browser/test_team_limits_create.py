"""A staff user limited to assigned customers quick-adds a customer: the dialog asks for the
parent (one of theirs, picked through the autocomplete), and the new sub-account stays in
their list."""

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def limited_world(browser_tenant, django_db_blocker):
    """Committed data the server process can see."""
    from accounts.models import StaffRole, User
    from customers.access import staff_customer_access_set
    from tests.factories import CustomerFactory, UserFactory

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        mine = CustomerFactory(name="Eastwind Assigned")
        CustomerFactory(name="Westwind Elsewhere")
        limited = staff_customer_access_set(
            member=UserFactory(role=StaffRole.STAFF, email="assigned@browser.example"),
            access="assigned",
            teams=[],
            customers=[mine],
            actor=User.objects.get(email="owner@browser.example"),
        )
    yield {"mine": mine}
    # The tenant is shared: other tests read the team page, where this user would show.
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        User.objects.filter(pk=limited.pk).delete()


def test_a_limited_user_quick_adds_a_customer_below_one_of_theirs(page, tenant_url, limited_world):
    sign_in(page, tenant_url, "assigned@browser.example")
    page.goto(f"{tenant_url}/customers/")
    page.get_by_role("button", name="Quick add").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Customer name").fill("Eastwind Branch")
    dialog.get_by_role("button", name="Add").click()
    expect(
        dialog.get_by_text("a new customer needs a parent customer you can reach")
    ).to_be_visible()

    # Type as a person would: htmx wires the swapped-in picker up just after the swap.
    dialog.get_by_label("Parent customer").press_sequentially("wind", delay=50)
    options = dialog.locator("[data-autocomplete-option]")
    expect(options.filter(has_text="Eastwind Assigned")).to_be_visible()
    expect(options.filter(has_text="Westwind Elsewhere")).to_have_count(0)
    options.filter(has_text="Eastwind Assigned").click()
    dialog.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Eastwind Branch", exact=True)).to_be_visible()

    page.goto(f"{tenant_url}/customers/")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Eastwind Branch", exact=True)).to_be_visible()
