import pytest
from playwright.sync_api import expect

from .conftest import sign_in

# django_db makes pytest-django create the test database the server process uses.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_staff_member_signs_in_and_sees_the_dashboard(page, tenant_url):
    sign_in(page, tenant_url, "staff@browser.example")
    expect(page).to_have_url(f"{tenant_url}/")
    expect(page.get_by_role("heading", name="Welcome, Staff")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Settings")).to_be_visible()


def test_wrong_password_shows_a_message_and_stays_signed_out(page, tenant_url):
    sign_in(page, tenant_url, "viewer@browser.example", "not-the-password")
    expect(page.get_by_text("not correct")).to_be_visible()
    page.goto(f"{tenant_url}/")
    expect(page).to_have_url(f"{tenant_url}/accounts/login/?next=/")


def test_viewer_sees_settings_read_only_and_owner_can_edit(page, tenant_url):
    sign_in(page, tenant_url, "viewer@browser.example")
    page.goto(f"{tenant_url}/settings/")
    expect(page.get_by_text("Only the workspace owner can change these settings")).to_be_visible()
    expect(page.get_by_role("button", name="Save settings")).to_have_count(0)
    page.get_by_role("button", name="Viewer Tester").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, tenant_url, "owner@browser.example")
    page.goto(f"{tenant_url}/settings/")
    expect(page.get_by_role("button", name="Save settings")).to_be_visible()
