"""A staff member adds a contact with two roles from the customer's Contacts tab, sees the
role badges, finds the customer by the contact's email, and marks the contact as left."""

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from customers.models import Customer

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="session")
def nimbus(browser_tenant, django_db_blocker):
    """Committed before any test transaction starts, so the server process sees it."""
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        customer, _ = Customer.objects.get_or_create(
            name="Nimbus Contacts Ltd", defaults={"country": "GB"}
        )
        customer.contacts.all().delete()
    return customer


def test_add_a_contact_with_two_roles_from_the_contacts_tab(page, tenant_url, nimbus):
    sign_in(page, tenant_url, "staff@browser.example")
    page.goto(f"{tenant_url}/customers/{nimbus.pk}/")
    page.get_by_role("link", name="Contacts", exact=True).click()
    expect(page.get_by_text("No contacts yet.")).to_be_visible()
    page.get_by_role("link", name="Add contact").click()

    page.get_by_label("Name").fill("Grace Ledger")
    page.get_by_label("Job title").fill("Finance director")
    page.get_by_label("Email", exact=True).fill("grace@nimbus.example")
    page.get_by_label("Phone", exact=True).fill("+44 20 7946 0018")
    page.get_by_label("Primary").check()
    page.get_by_label("Billing").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Grace Ledger", exact=True)).to_be_visible()
    header = page.locator(".badge")
    expect(header.filter(has_text=re.compile(r"^Primary$"))).to_be_visible()
    expect(header.filter(has_text=re.compile(r"^Billing$"))).to_be_visible()

    # The customer page lists her first, with both roles.
    page.get_by_role("link", name="Nimbus Contacts Ltd").first.click()
    page.get_by_role("link", name="Contacts", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Grace Ledger"))
    expect(row).to_contain_text("Primary")
    expect(row).to_contain_text("Billing")

    # The customer list finds the company by her email.
    page.goto(f"{tenant_url}/customers/")
    page.get_by_label("Search", exact=True).fill("grace@nimbus")
    expect(
        page.locator("#results").get_by_role("link", name="Nimbus Contacts Ltd", exact=True)
    ).to_be_visible()

    # She leaves: out of the tab, kept with her history.
    page.goto(f"{tenant_url}/customers/contacts/?q=grace")
    page.locator("#results").get_by_role("link", name="Grace Ledger", exact=True).click()
    page.get_by_role("button", name="Mark as left").click()
    expect(page.get_by_text("Grace Ledger marked as left.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Left [A-Z][a-z]{2} \d{1,2}, \d{4}$"))).to_be_visible()
    expect(page.get_by_text("Left the company (archived)")).to_be_visible()
