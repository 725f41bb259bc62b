import re

import pytest
from playwright.sync_api import expect

from .conftest import last_email_to, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def set_password_from_email(page, tenant_url: str, address: str, password: str) -> None:
    message = last_email_to(address)
    link = re.search(r"http://[^\s/]+(/accounts/password/reset/key/\S+)", message).group(1)
    page.goto(f"{tenant_url}{link}")
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    page.get_by_role("button", name=re.compile("Change Password", re.I)).click()


def sign_out(page) -> None:
    page.locator("header .dropdown-toggle").click()
    page.get_by_role("button", name="Sign out").click()


def test_customer_admin_from_the_wizard_to_the_portal_and_a_read_only_colleague(page, tenant_url):
    # Staff admin creates the customer and its admin in the wizard.
    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/customers/add/")
    page.get_by_label("Customer name").fill("Portal Pioneers")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("First name").fill("Paula")
    page.get_by_label("Last name").fill("Pioneer")
    page.get_by_label("Email").fill("paula@pioneers.example")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("paula@pioneers.example")).to_be_visible()
    page.get_by_role("button", name="Save customer").click()
    expect(page.get_by_text("invited paula@pioneers.example as its admin")).to_be_visible()
    sign_out(page)

    # The invitation email (the server's local mail output) lets her choose a password.
    # Choosing it signs her in: she lands in her company's portal in one go.
    set_password_from_email(page, tenant_url, "paula@pioneers.example", "Pioneer-Trail-2026")
    expect(page).to_have_url(re.compile(r"/portal/c/\d+/$"))
    expect(page.get_by_role("heading", name="Portal Pioneers", exact=True)).to_be_visible()
    company_url = page.url

    # She invites a read-only colleague.
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("First name").fill("Rita")
    page.get_by_label("Last name").fill("Reader")
    page.get_by_label("Email").fill("rita@pioneers.example")
    page.get_by_label("Role").select_option("read_only")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to rita@pioneers.example.")).to_be_visible()

    # Neither the admin nor the reader reaches the console or another company.
    for path in ("/customers/", "/admin/", "/settings/"):
        page.goto(f"{tenant_url}{path}")
        expect(
            page.get_by_role("heading", name=re.compile("do not have access|Not allowed", re.I))
        ).to_be_visible()
    page.goto(f"{tenant_url}/portal/c/999999/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.goto(company_url)
    sign_out(page)

    set_password_from_email(page, tenant_url, "rita@pioneers.example", "Reading-Lamp-2026")
    expect(page.get_by_role("heading", name="Portal Pioneers", exact=True)).to_be_visible()
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_text("paula@pioneers.example")).to_be_visible()
    expect(page.get_by_role("link", name="Invite a user")).to_have_count(0)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.goto(company_url + "settings/")
    expect(page.get_by_role("heading", name=re.compile("do not have access", re.I))).to_be_visible()
    page.goto(f"{tenant_url}/customers/")
    expect(page.get_by_role("heading", name=re.compile("do not have access", re.I))).to_be_visible()
