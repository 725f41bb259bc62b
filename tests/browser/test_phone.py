"""A 390 × 844 phone: the pages people use every day show the money and the actions they need
without sideways guessing, the top bar keeps to one row and the menu opens from a button.
Screenshots of each page go to test-artifacts/phone/ (git-ignored): look at them.

Also here, at desktop width: after a failed submit, focus lands on an error summary whose links
lead to the fields, and each field names its error."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, sign_in
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

SHOTS = ARTIFACTS / "phone"
TOTAL, BALANCE = "$9,095,724.00", "$9,094,724.00"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_phone_page(page, url: str, name: str) -> None:
    """Open the page, save its screenshot, and check what every page must do on a phone: a
    one-row top bar no taller than 64 px and nothing wider than the screen."""
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    page.wait_for_load_state()
    shoot(page, name)
    bar = page.locator("header.app-topbar").bounding_box()
    assert bar["height"] <= 64, f"{name}: the top bar is {bar['height']} px tall"
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{name}: the page is {wide} px wide, it scrolls sideways"


def in_view(page, locator, what: str) -> None:
    """Visible, and wholly within the phone's width without scrolling anything sideways."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
        f"{what} is at x={box['x']:.0f}..{box['x'] + box['width']:.0f}, outside the screen"
    )
    clipped = locator.evaluate(
        """(el) => {
            for (let box = el.parentElement; box; box = box.parentElement) {
                if (box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== "visible"
                    && box !== document.documentElement && box !== document.body) return true;
            }
            return false;
        }"""
    )
    assert not clipped, f"{what} sits in a box that scrolls sideways"


def one_line(locator, what: str) -> None:
    height, line = locator.evaluate(
        "(el) => [el.getBoundingClientRect().height, parseFloat(getComputedStyle(el).lineHeight)"
        " || parseFloat(getComputedStyle(el).fontSize) * 1.5]"
    )
    assert height <= line * 1.3, f"{what} wraps ({height:.0f} px for a {line:.0f} px line)"


def test_console_pages_on_a_phone(chromium, tenant_url, ui_world):  # noqa: F811
    company, invoice = ui_world["company"], ui_world["invoice"]
    page = new_page(chromium, PHONE)
    try:
        sign_in(page, tenant_url, OWNER)

        # The menu hides behind a button and opens as an offcanvas panel.
        open_phone_page(page, f"{tenant_url}/", "dashboard")
        menu = page.locator("#sidebar")  # a navigation landmark; a dialog while open
        expect(menu.get_by_role("link", name="Customers")).not_to_be_visible()
        page.get_by_role("button", name="Open navigation").click()
        expect(menu.get_by_role("link", name="Customers")).to_be_visible()
        page.get_by_role("button", name="Close navigation").click()
        expect(menu.get_by_role("link", name="Customers")).not_to_be_visible()
        # The user menu has a name, and opens.
        page.get_by_role("button", name=re.compile("Account menu")).click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

        # Searched for: other tests of the run add customers to this tenant.
        open_phone_page(page, f"{tenant_url}/customers/?q=Wide+Numbers", "customer-list")
        card = page.locator("#results tbody tr", has_text="Wide Numbers International Holdings")
        in_view(page, card.get_by_role("link", name="Wide Numbers International Holdings"), "name")
        in_view(page, card.get_by_text("Enterprise", exact=True), "business type")
        in_view(page, card.get_by_text("Active", exact=True), "status")
        for count in card.locator("td.text-end:not(.col-optional)").all():
            in_view(page, count, "a count")

        open_phone_page(page, f"{tenant_url}/customers/{company}/", "customer-page")
        tabs = page.get_by_role("navigation", name="Customer sections")
        expect(tabs).to_have_class(re.compile(r"\bmore-right\b"))  # the cue: more to the right
        tab_height = tabs.locator("a").first.bounding_box()["height"]
        assert tabs.bounding_box()["height"] < tab_height * 1.5, "the tabs wrap to more rows"

        open_phone_page(page, f"{tenant_url}/billing/invoices/?q=WIDE-2026", "invoice-list")
        submenu = page.get_by_role("navigation", name="Billing")
        expect(submenu).to_have_class(re.compile(r"\bmore-right\b"))
        assert submenu.bounding_box()["height"] < 50, "the billing sub-menu wraps"
        # The tenant's outstanding total (other tests' invoices count too): on one line.
        outstanding = page.locator(".stat-card", has_text="Outstanding").locator(".stat-value")
        one_line(outstanding, "the outstanding figure")
        row = page.locator("#results tbody tr", has_text="WIDE-2026-000001")
        in_view(page, row.get_by_role("link", name="WIDE-2026-000001", exact=True), "the number")
        in_view(page, row.get_by_role("link", name="Wide Numbers International"), "customer")
        in_view(page, row.get_by_text(TOTAL, exact=True), "the total")
        in_view(page, row.get_by_text(BALANCE, exact=True), "the balance")
        in_view(page, row.get_by_text("Issued", exact=True), "the status")
        in_view(page, row.get_by_role("link", name=re.compile("View")), "the View button")
        one_line(row.get_by_text(TOTAL, exact=True), "the total")

        open_phone_page(page, f"{tenant_url}/billing/invoices/{invoice}/", "invoice-page")
        # The document fits a phone: its line amounts and the amount due are in view.
        doc = page.get_by_test_id("invoice-document")
        in_view(page, doc.get_by_test_id("amount-due"), "the amount due")
        in_view(page, doc.locator("table.lines td.num").last, "a line's amount")
        # Narrower still, its box scrolls sideways, by keyboard too.
        resize(page, {"width": 280, "height": 844})
        box = page.get_by_role("region", name="Invoice document (scrolls sideways)")
        box.focus()
        expect(box).to_be_focused()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => document.querySelector('[data-made-focusable]').scrollLeft > 0", timeout=3000
        )
        resize(page, PHONE)
        expect(box).to_have_count(0)  # no longer scrolls: no longer a tab stop
        in_view(page, page.get_by_role("link", name="PDF"), "the PDF button")

        open_phone_page(page, f"{tenant_url}/customers/add/", "wizard")
        steps = page.get_by_role("list", name="Steps")
        box = steps.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        open_phone_page(page, f"{tenant_url}/customers/{company}/edit/", "customer-form")
        open_phone_page(page, f"{tenant_url}/locations/", "locations")
        open_phone_page(page, f"{tenant_url}/assets/", "assets")
    finally:
        page.context.close()


def test_portal_pages_on_a_phone(chromium, tenant_url, ui_world):  # noqa: F811
    company, invoice = ui_world["company"], ui_world["invoice"]
    page = new_page(chromium, PHONE)
    try:
        sign_in(page, tenant_url, PORTAL_ADMIN)
        open_phone_page(page, f"{tenant_url}/portal/c/{company}/billing/", "portal-billing")
        row = page.locator("tbody tr", has_text="WIDE-2026-000001")
        in_view(page, row.get_by_text(TOTAL, exact=True), "the total")
        in_view(page, row.get_by_text(BALANCE, exact=True), "the balance")
        in_view(
            page, row.get_by_role("link", name="Invoice WIDE-2026-000001 (PDF)"), "the PDF button"
        )
        # The card shows the figure; its currency is the card's hint.
        one_line(page.locator(".stat-value", has_text=BALANCE[1:]), "the balance due")
        menu = page.get_by_role("navigation", name="Portal")
        assert menu.bounding_box()["height"] < 60, "the portal menu wraps"

        open_phone_page(page, f"{tenant_url}/portal/c/{company}/users/", "portal-users")
        for name, role in (("Ada Admin", "Customer admin"), ("Rhea Reader", "Read-only")):
            row = page.locator("tbody tr", has_text=name)
            in_view(page, row.get_by_text(role, exact=True), f"{name}'s role")
            in_view(page, row.get_by_text("Active", exact=True), f"{name}'s status")

        open_phone_page(
            page, f"{tenant_url}/portal/c/{company}/billing/invoices/{invoice}/", "portal-invoice"
        )
    finally:
        page.context.close()


def test_a_failed_submit_focuses_an_error_summary_linked_to_each_field(
    chromium,
    tenant_url,
    ui_world,  # noqa: F811
):
    page = new_page(chromium, DESKTOP)
    try:
        sign_in(page, tenant_url, OWNER)
        page.goto(f"{tenant_url}/customers/{ui_world['company']}/edit/")
        page.get_by_label("Customer name").fill("")
        page.get_by_label("Website").fill("not a web address")
        page.get_by_role("button", name="Save", exact=True).click()

        summary = page.locator("[data-error-summary]")
        expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
        expect(summary).to_be_focused()
        links = summary.get_by_role("link")
        expect(links).to_have_count(2)
        for link in links.all():
            target = link.get_attribute("href")
            field = page.locator(target)
            expect(field).to_have_attribute("aria-invalid", "true")
            described = field.get_attribute("aria-describedby") or ""
            errors = " ".join(
                page.locator(f"[id='{ref}']").inner_text() for ref in described.split()
            )
            message = link.inner_text().split(": ", 1)[1]
            assert message in errors, f"{target} is not described by its error {message!r}"
        found = {}  # the page with its errors passes axe at both widths
        for viewport in (DESKTOP, PHONE):
            resize(page, viewport)
            collect(found, axe_violations(page), f"failed submit at {viewport['width']}px")
        resize(page, DESKTOP)
        assert not found, describe(found)
        expect(links.first).to_contain_text("Customer name")
        links.first.click()
        expect(page.get_by_label("Customer name")).to_be_focused()

        # The shared form page (core/object_form.html) does the same.
        page.goto(f"{tenant_url}/locations/add/")
        page.get_by_role("button", name=re.compile("Save|Create|Add")).first.click()
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_focused()
        first = summary.get_by_role("link").first
        field = page.locator(first.get_attribute("href"))
        expect(field).to_have_attribute("aria-invalid", "true")
        first.click()
        expect(field).to_be_focused()
    finally:
        page.context.close()
