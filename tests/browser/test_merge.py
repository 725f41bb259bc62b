"""An admin merges two records of one company from the customer page's “Merge with…”: picks
the other by typing, chooses a value per differing field side by side, confirms, and finds
the duplicate's contacts, locations, invoices and documents on the survivor; the duplicate's
old page points there. The side-by-side passes axe at desktop and phone width (screenshots in
test-artifacts/shots/)."""

import uuid

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import User
from customers.models import Customer
from customers.services_contacts import contact_create
from documents.services import document_create
from locations.models import Location
from tests.documents.helpers import pdf
from tests.factories import InvoiceFactory

from .conftest import ARTIFACTS, sign_in
from .ui_world import AXE_JS, DESKTOP, PHONE, axe_violations, resize

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = ARTIFACTS / "shots"


@pytest.fixture(scope="session")
def orbital(browser_tenant, django_db_blocker):
    """Two records of one company, the second with a contact, a location, an invoice and a
    document; committed before any test transaction so the server process sees them."""
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        admin = User.objects.get(email="admin@browser.example")
        Customer.objects.filter(name__startswith="Orbital Freight").delete()
        survivor = Customer.objects.create(name="Orbital Freight Ltd", industry="Logistics")
        duplicate = Customer.objects.create(
            name="Orbital Freight Limited", industry="Shipping", website="https://orbital.example"
        )
        contact_create(
            customer=duplicate, actor=admin, name="Olive Orbit", email="olive@orbital.example"
        )
        Location.objects.create(customer=duplicate, name="Orbital Dock 7")
        invoice = InvoiceFactory(customer=duplicate, number=f"ORB-{uuid.uuid4().hex[:8]}")
        document_create(
            actor=admin,
            record_type="customer",
            record_id=duplicate.pk,
            file=pdf("orbital-contract.pdf"),
            title="Orbital master agreement",
        )
    return survivor, duplicate, invoice.number


def test_merge_two_records_and_find_everything_on_the_survivor(page, tenant_url, orbital):
    survivor, duplicate, invoice_number = orbital
    page.context.add_init_script(path=str(AXE_JS))  # axe-core, for the checks below
    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/customers/{survivor.pk}/")
    page.get_by_role("link", name="Merge with…").click()

    page.get_by_label("Duplicate customer").fill("Orbital Freight Limited")
    page.get_by_role("option", name="Orbital Freight Limited").click()
    page.get_by_role("button", name="Compare").click()

    expect(
        page.get_by_role(
            "heading", name="Merge “Orbital Freight Limited” into “Orbital Freight Ltd”"
        )
    ).to_be_visible()
    industry = page.get_by_role("group", name="Industry")
    expect(industry.get_by_role("radio", name="Survivor's: Logistics")).to_be_checked()
    industry.get_by_role("radio", name="Duplicate's: Shipping").check()
    # The survivor has no website: the duplicate's is preselected.
    expect(
        page.get_by_role("group", name="Website").get_by_role(
            "radio", name="Duplicate's: https://orbital.example"
        )
    ).to_be_checked()
    moves = page.locator("[data-merge-counts]")
    for line in ("1 contact", "1 location", "1 invoice", "1 document"):
        expect(moves).to_contain_text(line)
    page.get_by_label("Reason").fill("Same company, added twice")
    page.get_by_label("I understand").check()

    SHOTS.mkdir(parents=True, exist_ok=True)
    resize(page, DESKTOP)
    page.screenshot(path=str(SHOTS / "merge_side_by_side_1280.png"), full_page=True)
    assert axe_violations(page) == []
    resize(page, PHONE)
    page.screenshot(path=str(SHOTS / "merge_side_by_side_390.png"), full_page=True)
    assert axe_violations(page) == []
    resize(page, DESKTOP)

    page.get_by_role("button", name="Merge into “Orbital Freight Ltd”").click()
    expect(
        page.get_by_text("Merged Orbital Freight Limited into Orbital Freight Ltd: moved")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Orbital Freight Ltd", exact=True)).to_be_visible()

    base = f"{tenant_url}/customers/{survivor.pk}"
    page.goto(f"{base}/contacts/")
    expect(page.get_by_role("link", name="Olive Orbit")).to_be_visible()
    page.goto(f"{base}/locations/")
    expect(page.get_by_role("link", name="Orbital Dock 7")).to_be_visible()
    page.goto(f"{base}/documents/")
    expect(page.get_by_role("link", name="Orbital master agreement", exact=True)).to_be_visible()
    page.goto(f"{tenant_url}/billing/invoices/?customer={survivor.pk}")
    expect(page.locator("#results").get_by_text(invoice_number)).to_be_visible()
    page.goto(f"{base}/history/")
    expect(page.get_by_text("Merged Orbital Freight Limited").first).to_be_visible()

    # The duplicate's old page says where it went.
    page.goto(f"{tenant_url}/customers/{duplicate.pk}/")
    pointer = page.locator("[data-merged-into]")
    expect(pointer).to_contain_text("Merged into Orbital Freight Ltd")
    pointer.get_by_role("link", name="Orbital Freight Ltd").click()
    expect(page).to_have_url(f"{base}/")
    page.screenshot(path=str(SHOTS / "merge_survivor_1280.png"), full_page=True)


def test_the_wizard_warns_of_a_duplicate_while_the_name_is_typed(page, tenant_url, orbital):
    sign_in(page, tenant_url, "staff@browser.example")
    page.goto(f"{tenant_url}/customers/add/")
    page.get_by_label("Customer name").fill("Orbital Freight")
    warning = page.locator("[data-duplicate-check]")
    expect(warning).to_contain_text("Already a customer?")
    expect(warning.get_by_role("link", name="Orbital Freight Ltd")).to_be_visible()
    page.get_by_label("Customer name").fill("Zyxwv Unrelated Qqq")
    expect(warning).to_contain_text("No similar customer found.")


def test_merge_page_for_a_staff_member_is_refused(page, tenant_url, orbital):
    """Staff edit records but do not delete or merge them: no button, and the page is 403."""
    survivor = orbital[0]
    sign_in(page, tenant_url, "staff@browser.example")
    page.goto(f"{tenant_url}/customers/{survivor.pk}/")
    expect(page.get_by_role("link", name="Merge with…")).to_have_count(0)
    response = page.goto(f"{tenant_url}/customers/{survivor.pk}/merge/")
    assert response.status == 403
