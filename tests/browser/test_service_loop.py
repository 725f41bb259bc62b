"""The service desk's loop in a real browser, with the worker's jobs run as the worker runs
them: staff answer a company's ticket and its service-level clock pauses while waiting on the
customer; the customer answers by email (a real Maildir read by the poller) and the answer
lands in the thread; staff resolve it, the requester's email asks for a rating, the rating
page takes it once, and it shows in the analytics' satisfaction figures."""

import mailbox
import re
import uuid
from email.message import EmailMessage

import pytest
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from .conftest import ARTIFACTS, last_email_to, run_as_worker, sign_in
from .ui_world import DESKTOP, PHONE, axe_violations, collect, describe, new_page, resize

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

COMPANY = "Clockwork Dental"
REQUESTER = "rosa@clockwork-dental.example"
STAFF = "staff@browser.example"
SHOTS = ARTIFACTS / "shots"
MAILDIR_ROOT = ARTIFACTS / "maildir"


@pytest.fixture(scope="module")
def practice(browser_tenant, django_db_blocker):
    """The company (with a 24/7 service level of its own) and its user, committed."""
    from customers.models import Customer
    from tests.factories import CustomerFactory, MembershipFactory
    from tickets.models_sla import CustomerSla, SlaPolicy

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        company = Customer.objects.filter(name=COMPANY).first()
        if company is None:
            company = CustomerFactory(name=COMPANY)
            MembershipFactory(
                customer=company, role="full", user__email=REQUESTER, user__first_name="Rosa"
            )
            policy, _ = SlaPolicy.objects.get_or_create(
                name="Dental 24/7",
                defaults={
                    "around_the_clock": True,
                    "first_response_normal": 60,
                    "resolution_normal": 480,
                },
            )
            CustomerSla.objects.create(customer=company, policy=policy)
    connection.set_schema_to_public()
    return company


def in_worker(job, schema_name: str):
    """Run ``job`` in the tenant as the worker does, reading the test's Maildir root."""

    def in_tenant():
        with schema_context(schema_name):
            return job()

    return run_as_worker(in_tenant, TICKETS_MAILDIR_ROOT=str(MAILDIR_ROOT))


def shoot(page, found: dict, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        resize(page, viewport)
        collect(found, axe_violations(page), f"{name} at {viewport['width']}px")
        page.screenshot(path=str(SHOTS / f"service_{name}_{viewport['width']}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_paused_clock_reply_by_email_and_a_rating_in_analytics(
    chromium, tenant_url, browser_tenant, practice
):
    from tickets.emails import subject_tag
    from tickets.mailbox import maildir_of, poll_current_tenant
    from tickets.models import Ticket

    run = uuid.uuid4().hex[:6]
    subject = f"Scanner offline {run}"
    page = new_page(chromium, DESKTOP)
    found: dict = {}
    try:
        # Staff open the ticket for the company; the requester is its portal user.
        sign_in(page, tenant_url, STAFF)
        page.goto(f"{tenant_url}/tickets/add/?customer={practice.pk}")
        page.get_by_label("Subject").fill(subject)
        page.get_by_label("Requester's email").fill(REQUESTER)
        page.get_by_label("Description").fill("The X-ray scanner dropped off the network.")
        page.get_by_role("button", name=re.compile("Open")).click()
        expect(page.get_by_role("heading", name=re.compile(subject))).to_be_visible()
        clocks = page.locator("section[aria-labelledby=sla-heading]")
        expect(clocks.get_by_text("Dental 24/7")).to_be_visible()
        expect(clocks.locator(".badge", has_text="Due").first).to_be_visible()

        # A public reply waits on the customer: the resolution clock pauses.
        page.get_by_label("Message").fill("Can you power-cycle the scanner and tell us?")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Reply sent.")).to_be_visible()
        expect(clocks.locator(".badge", has_text="Met")).to_be_visible()  # first response
        expect(clocks.locator(".badge", has_text="Paused")).to_be_visible()
        expect(clocks.get_by_text("waiting on the customer")).to_be_visible()
        shoot(page, found, "paused")

        # The customer answers the emailed reply; the poller reads it from the Maildir.
        with schema_context(browser_tenant.schema_name):
            ticket = Ticket.objects.get(subject=subject)
            tag = subject_tag(ticket)
        assert tag in last_email_to(REQUESTER)
        message = EmailMessage()
        message["From"] = f"Rosa <{REQUESTER}>"
        message["To"] = "support@browser.example"
        message["Subject"] = f"Re: {subject} {tag}"
        message["Message-ID"] = f"<{run}@clockwork-dental.example>"
        message.set_content(
            f"Done, it is back online ({run}).\n\nOn Monday you wrote:\n> Can you power-cycle"
        )
        MAILDIR_ROOT.mkdir(parents=True, exist_ok=True)
        with override_settings(TICKETS_MAILDIR_ROOT=str(MAILDIR_ROOT)):
            box = mailbox.Maildir(maildir_of(browser_tenant.schema_name), create=True)
        box.add(bytes(message))
        assert in_worker(lambda: poll_current_tenant().read, browser_tenant.schema_name) == 1
        page.reload()
        expect(page.get_by_text(f"Done, it is back online ({run}).")).to_be_visible()
        expect(page.get_by_text("you wrote")).to_have_count(0)  # the quoted history is cut
        expect(page.locator("h1 + div .badge", has_text="Open")).to_be_visible()
        expect(clocks.locator(".badge", has_text="Paused")).to_have_count(0)

        # Resolved: the requester's email asks for a rating.
        page.get_by_label("Move to").select_option("resolved")
        page.get_by_role("button", name="Change status").click()
        expect(page.locator("h1 + div .badge", has_text="Resolved")).to_be_visible()
        email = last_email_to(REQUESTER)
        link = re.search(r"Good: \S*(/tickets/rate/\d+/\w+/)\?score=good", email)
        assert link, email
        page.locator("header .dropdown-toggle").click()
        page.get_by_role("button", name="Sign out").click()

        # Anyone with the link rates it, once.
        page.goto(f"{tenant_url}{link.group(1)}?score=good")
        expect(page.get_by_label("Good")).to_be_checked()
        page.get_by_label("Anything to add? (optional)").fill(f"Fast and friendly {run}")
        shoot(page, found, "rate")
        page.get_by_role("button", name="Send my rating").click()
        expect(page.get_by_text("A ticket is rated once.")).to_be_visible()
        page.goto(f"{tenant_url}{link.group(1)}?score=bad")
        expect(page.get_by_text("A ticket is rated once.")).to_be_visible()

        # The rating counts in the analytics' satisfaction figures.
        sign_in(page, tenant_url, STAFF)
        page.goto(f"{tenant_url}/customers/{practice.pk}/analytics/")
        csat = page.locator("[data-figure=csat]")
        expect(csat.get_by_text("100%")).to_be_visible()
        expect(csat.get_by_text(re.compile(r"\d+ good"))).to_be_visible()
        shoot(page, found, "analytics")
        assert not found, "axe found violations:\n" + describe(found)
    finally:
        page.context.close()
