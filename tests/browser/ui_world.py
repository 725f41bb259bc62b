"""What the accessibility and phone tests look at: one company with a sub-account, a location,
an asset and an invoice with big numbers and many lines; a staff user limited to that company's
team; the company's portal admin and a read-only member. Plus axe-core, injected from
node_modules into every page the tests open."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from .conftest import BASE_DIR, CHROMIUM_ARGS  # noqa: F401  (re-exported for the tests)

AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

OWNER = "owner@browser.example"
SCOPED = "scoped@browser.example"
PORTAL_ADMIN = "admin@wide-numbers.example"
PORTAL_MEMBER = "reader@wide-numbers.example"


@pytest.fixture(scope="session")
def ui_world(browser_tenant, django_db_blocker):
    """Committed before any test transaction starts, so the server process sees it. No
    subscriptions: the other browser tests' invoice runs stay as they are."""
    from accounts.models import StaffRole
    from billing.models import InvoiceLine
    from customers.teams import Team
    from tests.factories import (
        AssetFactory,
        CustomerFactory,
        InvoiceFactory,
        LocationFactory,
        MembershipFactory,
        UserFactory,
    )

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        data = _existing()  # a database kept with --reuse-db
        if data:
            connection.set_schema_to_public()
            return data
        company = CustomerFactory(
            name="Wide Numbers International Holdings",
            business_type="enterprise",
            billing_email="ap@wide-numbers.example",
        )
        CustomerFactory(name="Wide Numbers Subsidiary", parent=company)
        location = LocationFactory(customer=company, name="Wide Numbers Headquarters")
        asset = AssetFactory(location=location, name="WN-SRV-000001")
        invoice = InvoiceFactory(
            customer=company,
            number="WIDE-2026-000001",
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            issue_date=date(2026, 4, 1),
            subtotal=Decimal("9095724.00"),
            total=Decimal("9095724.00"),
            amount_paid=Decimal("1000.00"),
            billing_address="Wide Numbers International Holdings\n1 Long Road\nSpringfield",
            billing_email="ap@wide-numbers.example",
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                position=index,
                kind="subscription",
                description=f"Enterprise platform seat block {index + 1} (March 2026)",
                quantity=Decimal(1000),
                unit_price=Decimal("757.9770"),
                amount=Decimal("757977.00"),
            )
            for index in range(12)
        )
        scoped = UserFactory(
            role=StaffRole.STAFF,
            email=SCOPED,
            first_name="Scoped",
            last_name="Staffer",
            customer_access="assigned",
        )
        team = Team.objects.create(name="Wide Numbers team")
        team.members.add(scoped)
        team.customers.add(company)
        MembershipFactory(
            customer=company,
            role="admin",
            user__email=PORTAL_ADMIN,
            user__first_name="Ada",
            user__last_name="Admin",
        )
        MembershipFactory(
            customer=company,
            role="read_only",
            user__email=PORTAL_MEMBER,
            user__first_name="Rhea",
            user__last_name="Reader",
        )
        data = {
            "company": company.pk,
            "location": location.pk,
            "asset": asset.pk,
            "invoice": invoice.pk,
        }
    connection.set_schema_to_public()
    return data


def _existing() -> dict | None:
    from billing.models import Invoice

    invoice = Invoice.objects.filter(number="WIDE-2026-000001").select_related("customer").first()
    if invoice is None:
        return None
    location = invoice.customer.locations.get()
    return {
        "company": invoice.customer_id,
        "location": location.pk,
        "asset": location.assets.get().pk,
        "invoice": invoice.pk,
    }


def new_page(chromium, viewport: dict, color_scheme: str = "light"):
    """A tab of its own context with axe-core loaded before each page's scripts (an init
    script is not an inline script: the content security policy stays as strict as served);
    ``color_scheme`` is the system setting the browser reports (the theme follows it)."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run make install (npm ci, package-lock.json)"
    context = chromium.new_context(viewport=viewport, color_scheme=color_scheme)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_errors = []
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def resize(page, viewport: dict) -> None:
    """Narrow or widen the tab and let the page react (resize observers run before the next
    frame is drawn)."""
    page.set_viewport_size(viewport)
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def axe_violations(page, rules: tuple[str, ...] = ()) -> list[dict]:
    """Every violation axe finds on the page as it is now (any impact), of every rule or of
    ``rules`` only."""
    return page.evaluate(
        """async (rules) => {
            const options = {resultTypes: ["violations"]};
            if (rules.length) options.runOnly = {type: "rule", values: rules};
            const result = await axe.run(document, options);
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html,
                                            summary: n.failureSummary})),
            }));
        }""",
        list(rules),
    )


def describe(found: dict) -> str:
    """One paragraph per violating element, naming every page and width it was seen at."""
    lines = []
    for (impact, rule, help_, target, html, summary), where in found.items():
        lines.append(f"[{impact}] {rule}: {help_}")
        lines.append(f"    element: {target}  {html[:200]}")
        lines.append(f"    problem: {(summary or '').replace(chr(10), ' / ')[:400]}")
        shown = ", ".join(where[:6]) + (f" and {len(where) - 6} more" if len(where) > 6 else "")
        lines.append(f"    on: {shown}")
    return "\n".join(lines)


def collect(found: dict, violations: list[dict], where: str) -> None:
    for violation in violations:
        for node in violation["nodes"]:
            key = (
                violation["impact"],
                violation["id"],
                violation["help"],
                node["target"],
                node["html"],
                node["summary"],
            )
            found.setdefault(key, []).append(where)
