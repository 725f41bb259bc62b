"""Log a call and a task on a customer's Activity tab, get the reminder email when the reminder
job runs, tick the task done from "My tasks"; the pages at desktop and phone width."""

import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from .conftest import ARTIFACTS, last_email_to, run_as_worker, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

COMPANY = "Timeline Traders Ltd"
STAFF = "staff@browser.example"
PORTAL_ADMIN = "admin@timeline-traders.example"
SHOTS = ARTIFACTS / "shots"


@pytest.fixture(scope="module")
def traders(browser_tenant, django_db_blocker):
    """The company and one of its contacts, committed so the server process sees them."""
    from accounts.models import User
    from customers.models import Customer
    from customers.models_contacts import Contact
    from tests.factories import CustomerFactory, MembershipFactory

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        company = Customer.objects.filter(name=COMPANY).first()
        if company is None:
            company = CustomerFactory(name=COMPANY)
            Contact.objects.create(customer=company, name="Priya Purchaser")
        if not User.objects.filter(email=PORTAL_ADMIN).exists():
            MembershipFactory(customer=company, role="admin", user__email=PORTAL_ADMIN)
    connection.set_schema_to_public()
    return company


def run_reminder_job() -> int:
    """What the worker runs every minute (the real periodic task)."""
    from activity.tasks import send_task_reminders

    return run_as_worker(lambda: send_task_reminders(timestamp=0))


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"timeline_{name}_{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_log_a_call_and_a_task_get_the_reminder_and_tick_it_done(page, tenant_url, traders):
    run = uuid.uuid4().hex[:6]  # unique in a kept database
    title, outcome = f"Send the renewal quote {run}", f"Wants a quote by Friday ({run})"
    sign_in(page, tenant_url, STAFF)
    page.goto(f"{tenant_url}/customers/{traders.pk}/")
    page.get_by_role("link", name="Activity", exact=True).click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()

    # A call with the company's contact.
    page.get_by_role("tab", name="Call or meeting").click()
    form = page.locator("form[data-activity-form=call]")
    form.get_by_label("Contact", exact=True).select_option(label="Priya Purchaser")
    form.get_by_label("Duration (minutes)", exact=True).fill("20")
    form.get_by_label("Outcome", exact=True).fill(outcome)
    form.get_by_label("Notes", exact=True).fill("Discussed **renewal** terms")
    form.get_by_role("button", name="Log it").click()
    expect(page.get_by_text("Call added.")).to_be_visible()
    call = page.locator(".activity-call", has_text=outcome)
    expect(call.get_by_text(f"With Priya Purchaser · 20 min · Outcome: {outcome}")).to_be_visible()
    expect(call.locator(".activity-body strong", has_text="renewal")).to_be_visible()

    # A task for myself, due today, with a reminder already due.
    page.get_by_role("tab", name="Task").click()
    form = page.locator("form[data-activity-form=task]")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Reminder email at", exact=True).fill("2026-01-01T09:00")
    form.get_by_role("button", name="Add task").click()
    expect(page.get_by_text("Task added.")).to_be_visible()
    expect(page.get_by_text(title, exact=True)).to_be_visible()
    shoot(page, "customer_tab")

    # The worker's job sends the reminder to the assignee (once).
    assert run_reminder_job() >= 1
    email = last_email_to(STAFF)
    assert f"Subject: Reminder: {title}" in email and COMPANY in email
    assert run_reminder_job() == 0

    # My tasks: due today; ticked done inline (htmx), it stays done after a reload.
    page.get_by_role("link", name="My tasks").first.click()
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    today = page.locator("section", has=page.get_by_role("heading", name="Due today"))
    row = today.locator("li", has_text=title)
    expect(row).to_be_visible()
    shoot(page, "my_tasks")
    row.get_by_role("button", name=f"Mark done: {title}").click()
    expect(page.get_by_role("button", name=f"Reopen: {title}")).to_be_visible(timeout=20_000)
    page.reload()
    expect(today.locator("li", has_text=title)).to_have_count(0)
    done = page.locator("section", has=page.get_by_role("heading", name="Done in the last 7 days"))
    expect(done.locator("li", has_text=title)).to_be_visible()


def test_the_activity_pages_pass_axe_at_phone_and_desktop_width(chromium, tenant_url, traders):
    """The customer's Activity tab, My tasks, an entry's edit form and the portal's Activity
    page (something shared on it), each at 390 and 1280 px: no axe violation."""
    from .ui_world import DESKTOP, PHONE, axe_violations, collect, describe, new_page, resize

    found: dict = {}
    page = new_page(chromium, DESKTOP)
    sign_in(page, tenant_url, STAFF)
    page.goto(f"{tenant_url}/customers/{traders.pk}/activity/")
    form = page.locator("form[data-activity-form=note]")
    form.get_by_label("Note").fill("Shared with **you**: the renewal is agreed")
    form.get_by_label("Share with the company").check()
    form.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Note added.")).to_be_visible()
    edit = (
        page.locator(".activity-note").first.get_by_role("link", name="Edit").get_attribute("href")
    )
    paths = [f"/customers/{traders.pk}/activity/", "/activity/tasks/", edit]
    for path in paths:
        page.goto(tenant_url + path)
        for viewport in (DESKTOP, PHONE):
            resize(page, viewport)
            collect(found, axe_violations(page), f"{path} at {viewport['width']}")
    page.context.close()

    page = new_page(chromium, DESKTOP)
    sign_in(page, tenant_url, PORTAL_ADMIN)
    portal = f"/portal/c/{traders.pk}/activity/"
    page.goto(tenant_url + portal)
    expect(page.get_by_text("the renewal is agreed").first).to_be_visible()
    for viewport in (DESKTOP, PHONE):
        resize(page, viewport)
        page.screenshot(
            path=str(SHOTS / f"timeline_portal_{viewport['width']}.png"), full_page=True
        )
        collect(found, axe_violations(page), f"{portal} at {viewport['width']}")
    page.context.close()
    assert not found, describe(found)
