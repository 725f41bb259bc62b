"""Accessible by test: axe-core (pinned in package.json) checks every main console and portal
page at 390 and 1280 px, signed in as each kind of user, and any violation of any impact fails
with the rule, the elements and what is wrong with them.

One browser and one tab per user: each page is loaded once, checked at desktop width, narrowed
to a phone and checked again."""

import pytest

from .conftest import sign_in
from .ui_world import (
    DESKTOP,
    OWNER,
    PHONE,
    PORTAL_ADMIN,
    PORTAL_MEMBER,
    SCOPED,
    axe_violations,
    collect,
    describe,
    new_page,
    resize,
    ui_world,  # noqa: F401  (fixture)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def links(page, selector: str) -> list[str]:
    """The paths the links in ``selector`` lead to (tabs, sub-menus), in page order."""
    return page.eval_on_selector_all(
        selector, "(anchors) => anchors.map((a) => a.pathname + a.search)"
    )


def console_pages(page, base: str, world: dict, *, everything: bool) -> list[str]:
    company, invoice = world["company"], world["invoice"]
    paths = ["/", "/customers/", f"/customers/{company}/"]
    page.goto(f"{base}/customers/{company}/")
    paths += links(page, "main .nav-tabs a")
    paths += [
        f"/customers/{company}/edit/",
        "/locations/",
        f"/locations/{world['location']}/",
        "/assets/",
        f"/assets/{world['asset']}/",
        "/billing/invoices/",
        f"/billing/invoices/{invoice}/",
        "/two-factor/setup/",
        "/search/?q=Wide",
        "/notifications/",
    ]
    if everything:
        page.goto(f"{base}/billing/invoices/")
        paths += links(page, "nav[aria-label=Billing] a")
        paths += [
            "/customers/add/",
            "/billing/projects/",
            "/imports/customers/",
            "/settings/",
            "/settings/team/",
            "/settings/security/",
        ]
    return list(dict.fromkeys(paths))


def portal_pages(world: dict, *, admin: bool) -> list[str]:
    company = world["company"]
    base = f"/portal/c/{company}/"
    paths = [base, f"{base}billing/", f"{base}billing/invoices/{world['invoice']}/"]
    paths += [f"{base}users/", f"{base}locations/", f"{base}assets/", "/accounts/2fa/"]
    if admin:
        paths += [f"{base}users/invite/", f"{base}settings/"]
    return paths


USERS = {
    "tenant owner": (
        OWNER,
        lambda page, base, world: console_pages(page, base, world, everything=True),
    ),
    "staff limited to a team": (
        SCOPED,
        lambda page, base, world: console_pages(page, base, world, everything=False),
    ),
    "portal admin": (PORTAL_ADMIN, lambda page, base, world: portal_pages(world, admin=True)),
    "portal member": (PORTAL_MEMBER, lambda page, base, world: portal_pages(world, admin=False)),
}


@pytest.mark.parametrize("who", list(USERS))
def test_every_main_page_has_no_axe_violations_at_phone_and_desktop_width(
    chromium,
    tenant_url,
    ui_world,  # noqa: F811
    who,
):
    email, pages_of = USERS[who]
    page = new_page(chromium, DESKTOP)
    try:
        sign_in(page, tenant_url, email)
        page.wait_for_load_state()
        found = {}
        for path in pages_of(page, tenant_url, ui_world):
            response = page.goto(f"{tenant_url}{path}")
            assert response.status == 200, f"{who}: {path} answered {response.status}"
            for viewport in (DESKTOP, PHONE):
                resize(page, viewport)
                collect(found, axe_violations(page), f"{path} at {viewport['width']}px")
            page.set_viewport_size(DESKTOP)
        assert not page.csp_errors, "\n".join(page.csp_errors)
        assert not found, f"axe found violations signed in as the {who}:\n" + describe(found)
    finally:
        page.context.close()
