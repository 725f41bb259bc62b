"""The service desk end to end in a real browser: a company's user opens a ticket with a file
in the portal; staff find it in the queue and reply; the user sees the reply (never the
internal note) and answers, which opens the ticket again. Axe at desktop and phone width on
the portal's and the console's ticket pages; screenshots in test-artifacts/shots/tickets_*."""

import re
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tests.factories import PASSWORD

from .conftest import ARTIFACTS, sign_in
from .ui_world import DESKTOP, PHONE, axe_violations, collect, describe, new_page, resize

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

COMPANY = "Ticket Desk Ltd"
REQUESTER = "rita@ticket-desk.example"
STAFF = "staff@browser.example"
SCREENSHOT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SHOTS = ARTIFACTS / "shots"


@pytest.fixture(scope="module")
def desk(browser_tenant, django_db_blocker):
    """The company and its user, committed so the server process sees them."""
    from customers.models import Customer
    from tests.factories import CustomerFactory, MembershipFactory

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        company = Customer.objects.filter(name=COMPANY).first()
        if company is None:
            company = CustomerFactory(name=COMPANY)
            MembershipFactory(
                customer=company, role="full", user__email=REQUESTER, user__first_name="Rita"
            )
    connection.set_schema_to_public()
    return company


def sign_out(page) -> None:
    page.locator("header .dropdown-toggle").click()
    page.get_by_role("button", name="Sign out").click()


def check_axe(page, found: dict, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        resize(page, viewport)
        collect(found, axe_violations(page), f"{name} at {viewport['width']}px")
        page.screenshot(path=str(SHOTS / f"tickets_{name}_{viewport['width']}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_ticket_from_the_portal_to_the_desk_and_back(chromium, tenant_url, desk, tmp_path):
    screenshot = tmp_path / "error-message.pdf"
    screenshot.write_bytes(SCREENSHOT)
    subject = f"Mail server rejects attachments {uuid.uuid4().hex[:6]}"  # unique in a kept db
    page = new_page(chromium, DESKTOP)
    found: dict = {}
    try:
        sign_in(page, tenant_url, REQUESTER, PASSWORD)
        page.goto(f"{tenant_url}/portal/c/{desk.pk}/tickets/")
        page.get_by_role("link", name="Open a ticket").click()
        page.get_by_label("Subject").fill(subject)
        page.get_by_label("Priority").select_option("high")
        page.get_by_label("Description").fill("Every mail over **5 MB** bounces.")
        page.get_by_label("Attachments").set_input_files(str(screenshot))
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text(re.compile(r"Thank you: we received T-\d+"))).to_be_visible()
        expect(page.get_by_role("link", name="error-message.pdf")).to_be_visible()
        expect(page.locator(".markdown strong", has_text="5 MB")).to_be_visible()
        ticket_url = page.url
        sign_out(page)

        # Staff find it in the queue, add a note and reply.
        sign_in(page, tenant_url, STAFF)
        page.goto(f"{tenant_url}/tickets/")
        page.get_by_role("link", name=subject).click()
        expect(page.get_by_role("heading", name=re.compile(subject))).to_be_visible()
        page.get_by_label("Message").fill("Customer is on the old mail plan.")
        page.get_by_label("Internal note (only your team sees it)").check()
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Note added.")).to_be_visible()
        page.get_by_label("Message").fill("We raised the limit to 25 MB. Can you try again?")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Reply sent.")).to_be_visible()
        expect(page.locator("h1 + div .badge", has_text="Waiting on customer")).to_be_visible()
        check_axe(page, found, "console")
        sign_out(page)

        # The company's user sees the reply, not the note, and answers.
        sign_in(page, tenant_url, REQUESTER, PASSWORD)
        page.goto(ticket_url)
        expect(page.get_by_text("We raised the limit to 25 MB.")).to_be_visible()
        expect(page.get_by_text("old mail plan")).to_have_count(0)
        page.get_by_label("Message").fill("Works now, thank you!")
        page.get_by_role("button", name="Send reply").click()
        expect(page.get_by_text("Your reply was sent.")).to_be_visible()
        expect(page.locator(".badge", has_text="Open").first).to_be_visible()
        check_axe(page, found, "portal")
        assert not found, "axe found violations:\n" + describe(found)
    finally:
        page.context.close()
