import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

# django_db makes pytest-django create the test database the server process uses.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def results(page):
    return page.locator("#results")


def test_customer_lifecycle_through_the_ui(page, tenant_url):
    sign_in(page, tenant_url, "admin@browser.example")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Customers"
    ).click()
    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()

    # Wizard: three steps, back keeps what was typed, review, save.
    page.get_by_role("link", name="Add customer").first.click()
    page.get_by_label("Customer name").fill("Wizardry Holdings")
    page.get_by_label("Industry").fill("Magic")
    page.get_by_label("Business type").select_option("enterprise")
    page.get_by_label("Website").fill("wizardry.example")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Contact & address", exact=True)).to_be_visible()
    page.get_by_label("Company phone").fill("+1 202 555 0177")
    page.get_by_label("Primary contact").fill("Merlin Ambrosius")
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Customer name")).to_have_value("Wizardry Holdings")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Primary contact")).to_have_value("Merlin Ambrosius")
    page.get_by_label("Contact email").fill("merlin@wizardry.example")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Internal notes").fill("Spellbook volume 7 is in the vault.")
    page.get_by_role("button", name="Next").click()
    expect(
        page.get_by_role("heading", name="Customer admin (optional)", exact=True)
    ).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Spellbook volume 7 is in the vault.")).to_be_visible()
    page.get_by_role("button", name="Save customer").click()
    expect(page.get_by_role("heading", name="Wizardry Holdings", exact=True)).to_be_visible()
    expect(page.get_by_text("Added Wizardry Holdings.")).to_be_visible()

    # Quick add with only a name.
    page.goto(f"{tenant_url}/customers/")
    page.get_by_role("button", name="Quick add").click()
    page.get_by_role("dialog").get_by_label("Customer name").fill("Speedy Startup")
    page.get_by_role("dialog").get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Speedy Startup", exact=True)).to_be_visible()

    # Live search by part of the phone number, formatted differently; the URL follows.
    page.goto(f"{tenant_url}/customers/")
    page.get_by_label("Search", exact=True).fill("555-0177")
    expect(results(page).get_by_role("link", name="Wizardry Holdings", exact=True)).to_be_visible()
    expect(results(page).get_by_role("link", name="Speedy Startup", exact=True)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=555-0177"))

    # The Enterprise card filters the list and is marked active.
    page.goto(f"{tenant_url}/customers/")
    page.get_by_role("link", name=re.compile(r"^Enterprise")).click()
    expect(page.get_by_role("link", name=re.compile(r"^Enterprise"))).to_have_attribute(
        "aria-current", "true"
    )
    expect(results(page).get_by_role("link", name="Wizardry Holdings", exact=True)).to_be_visible()
    expect(results(page).get_by_role("link", name="Speedy Startup", exact=True)).to_have_count(0)

    # Open, edit.
    results(page).get_by_role("link", name="Wizardry Holdings", exact=True).click()
    page.get_by_role("link", name="Edit").first.click()
    page.get_by_label("Industry").fill("Applied Magic")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Applied Magic")).to_be_visible()

    # Archive, then find it under Archived.
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".badge", has_text="Archived")).to_be_visible()
    page.goto(f"{tenant_url}/customers/")
    expect(results(page).get_by_role("link", name="Wizardry Holdings", exact=True)).to_have_count(0)
    page.get_by_role("button", name="More filters").click()
    page.get_by_label("Archived").select_option("only")
    expect(results(page).get_by_role("link", name="Wizardry Holdings", exact=True)).to_be_visible()

    # Delete (with confirmation), then restore from the Deleted filter.
    results(page).get_by_role("link", name="Wizardry Holdings", exact=True).click()
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_text("never deleted with it")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted Wizardry Holdings")).to_be_visible()
    page.get_by_role("button", name="More filters").click()
    page.get_by_label("Deleted").select_option("only")
    results(page).get_by_role("link", name="Wizardry Holdings", exact=True).click()
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Restored Wizardry Holdings.")).to_be_visible()

    # Every step is in History, newest first.
    page.get_by_role("link", name="History").click()
    reasons = page.locator(".list-group-item strong").all_inner_texts()
    assert reasons == ["Restored", "Deleted", "Archived", "Edited", "Created"]
    expect(page.get_by_text("Applied Magic").first).to_be_visible()
