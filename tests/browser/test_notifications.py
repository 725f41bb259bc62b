"""The notification bell and list, and a finished background export, as a user meets them:
the bell counts the unread one, the list shows it, opening it leads to the export's page,
which downloads the file; then nothing is unread. Axe at desktop and phone width on both
pages; screenshots in test-artifacts/shots/notifications_*.png."""

from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from .conftest import ARTIFACTS, sign_in
from .ui_world import DESKTOP, PHONE, axe_violations, collect, describe, new_page, resize

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SHOTS = ARTIFACTS / "shots"
VIEWER = "viewer@browser.example"
CSV = "\ufeffCustomer Name,Status\r\nAcme Robotics,Active\r\n".encode()


@pytest.fixture(scope="module")
def finished_export(browser_tenant, django_db_blocker):
    """A finished export of the viewer's, and its notification (committed for the server)."""
    from accounts.models import ExportJob, Notification, User
    from core.notifications import NotificationKind, notify

    def clean(viewer) -> None:
        ExportJob.objects.filter(actor=viewer).delete()
        Notification.objects.filter(recipient=viewer).delete()

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        viewer = User.objects.get(email=VIEWER)
        clean(viewer)
        job = ExportJob.objects.create(
            actor=viewer,
            list_key="customers.customer",
            title="Export of customers",
            query="status=active",
            file_format="csv",
            state=ExportJob.State.DONE,
            total=1,
            processed=1,
            file_name="customers-20261202-0500.csv",
            data=CSV,
            size=len(CSV),
            finished_at=timezone.now(),
        )
        notify(
            [viewer],
            kind=NotificationKind.EXPORT_READY,
            message="Export of customers is ready: 1 row.",
            url=job.get_absolute_url(),
        )
        connection.set_schema_to_public()
    yield job
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        clean(viewer)
        connection.set_schema_to_public()


def check_axe(page, found: dict, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        resize(page, viewport)
        collect(found, axe_violations(page), f"{name} at {viewport['width']}px")
        page.screenshot(path=str(SHOTS / f"notifications_{name}_{viewport['width']}.png"))
    page.set_viewport_size(DESKTOP)


def test_the_bell_leads_to_the_finished_export_and_its_file(chromium, tenant_url, finished_export):
    page = new_page(chromium, DESKTOP)
    found: dict = {}
    try:
        sign_in(page, tenant_url, VIEWER)
        bell = page.locator("#notification-bell")
        expect(bell).to_have_attribute("data-unread", "1")
        expect(bell).to_have_accessible_name("Notifications: 1 unread")
        bell.click()
        expect(page).to_have_url(f"{tenant_url}/notifications/")
        item = page.get_by_role("link", name="Export of customers is ready: 1 row.")
        expect(item).to_be_visible()
        check_axe(page, found, "list")

        item.click()
        expect(page).to_have_url(f"{tenant_url}{finished_export.get_absolute_url()}")
        expect(page.get_by_role("status")).to_contain_text("Ready: 1 row in CSV")
        check_axe(page, found, "export")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download customers-20261202-0500.csv").click()
        path = download.value.path()
        assert Path(path).read_bytes() == CSV
        assert download.value.suggested_filename == "customers-20261202-0500.csv"

        page.goto(f"{tenant_url}/notifications/")
        expect(page.locator("#notification-bell")).to_have_attribute("data-unread", "0")
        expect(page.get_by_text("New", exact=True)).to_have_count(0)
        assert not page.csp_errors, "\n".join(page.csp_errors)
        assert not found, "axe found violations:\n" + describe(found)
    finally:
        page.context.close()
