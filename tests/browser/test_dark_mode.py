"""Dark mode follows the system setting, a choice in the user menu overrides it for this
browser, and the dark pages pass the same axe checks as the light ones; "?" lists the keyboard
shortcuts and "g" then a letter goes to a section."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_accessibility import console_pages, portal_pages
from .ui_world import (
    DESKTOP,
    OWNER,
    PHONE,
    PORTAL_ADMIN,
    axe_violations,
    collect,
    describe,
    new_page,
    resize,
    ui_world,  # noqa: F401  (fixture)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def theme(page) -> str:
    return page.evaluate("() => document.documentElement.dataset.bsTheme")


def test_the_theme_follows_the_system_until_the_user_chooses_one(
    chromium,
    tenant_url,
    ui_world,  # noqa: F811
):
    page = new_page(chromium, DESKTOP, color_scheme="dark")
    try:
        page.goto(f"{tenant_url}/accounts/login/")
        assert theme(page) == "dark", "the sign-in page follows the system's dark setting"
        sign_in(page, tenant_url, OWNER)
        page.wait_for_load_state()
        assert theme(page) == "dark"

        page.get_by_role("button", name=re.compile("Account menu")).click()
        page.get_by_role("button", name="Light").click()
        assert theme(page) == "light"
        expect(page.locator("[data-theme-choice=light]")).to_have_attribute("aria-pressed", "true")
        page.goto(f"{tenant_url}/customers/")
        assert theme(page) == "light", "the choice is kept for this browser"

        page.get_by_role("button", name=re.compile("Account menu")).click()
        page.get_by_role("button", name="System").click()
        assert theme(page) == "dark", "back to the system's setting"
        page.reload()
        assert theme(page) == "dark"
    finally:
        page.context.close()


def test_question_mark_lists_the_shortcuts_and_g_then_a_letter_goes_there(
    chromium,
    tenant_url,
    ui_world,  # noqa: F811
):
    page = new_page(chromium, DESKTOP)
    try:
        sign_in(page, tenant_url, OWNER)
        page.wait_for_load_state()
        page.locator("main").click(position={"x": 5, "y": 5})
        page.keyboard.press("?")
        dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
        expect(dialog).to_be_visible()
        page.wait_for_function("() => document.activeElement.id === 'shortcuts-dialog'")
        expect(dialog.get_by_text("Go to Customers")).to_be_visible()
        expect(dialog.get_by_text("Search everything")).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()

        page.keyboard.press("g")
        page.keyboard.press("c")
        expect(page).to_have_url(f"{tenant_url}/customers/")

        # Typing in a field is typing, not a shortcut.
        search = page.get_by_label("Search", exact=True)
        search.fill("")
        search.press("g")
        search.press("b")
        expect(page).to_have_url(f"{tenant_url}/customers/")
        expect(search).to_have_value("gb")
    finally:
        page.context.close()


# What the theme changes is colour: the dark walk runs axe's colour rules (every other rule
# reads the same markup, walked in the light by tests/browser/test_accessibility.py).
THEMED_RULES = ("color-contrast", "link-in-text-block")


@pytest.mark.parametrize("who", ["tenant owner", "portal admin"])
def test_dark_pages_have_no_axe_violations_at_phone_and_desktop_width(
    chromium,
    tenant_url,
    ui_world,  # noqa: F811
    who,
):
    email = OWNER if who == "tenant owner" else PORTAL_ADMIN
    page = new_page(chromium, DESKTOP, color_scheme="dark")
    try:
        sign_in(page, tenant_url, email)
        page.wait_for_load_state()
        if who == "tenant owner":
            paths = console_pages(page, tenant_url, ui_world, everything=True)
        else:
            paths = portal_pages(ui_world, admin=True)
        found = {}
        for path in paths:
            response = page.goto(f"{tenant_url}{path}")
            assert response.status == 200, f"{who}: {path} answered {response.status}"
            assert theme(page) == "dark"
            for viewport in (DESKTOP, PHONE):
                resize(page, viewport)
                collect(
                    found, axe_violations(page, THEMED_RULES), f"{path} at {viewport['width']}px"
                )
            page.set_viewport_size(DESKTOP)
        assert not page.csp_errors, "\n".join(page.csp_errors)
        assert not found, f"axe found violations in dark mode as the {who}:\n" + describe(found)
    finally:
        page.context.close()
