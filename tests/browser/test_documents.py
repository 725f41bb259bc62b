"""A contract PDF uploaded on a customer's Documents tab, downloaded through the app, shared
with the company's portal, where the customer admin finds and downloads it."""

import re
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tests.factories import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

COMPANY = "Document Depot Ltd"
PORTAL_ADMIN = "admin@document-depot.example"
CONTRACT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def depot(browser_tenant, django_db_blocker):
    """The company and its portal admin, committed so the server process sees them."""
    from customers.models import Customer
    from tests.factories import CustomerFactory, MembershipFactory

    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        company = Customer.objects.filter(name=COMPANY).first()
        if company is None:
            company = CustomerFactory(name=COMPANY)
            MembershipFactory(customer=company, role="admin", user__email=PORTAL_ADMIN)
    connection.set_schema_to_public()
    return company


def fetch(page, href: str) -> dict:
    """GET ``href`` from the page (its cookies, its host), as the browser would download it."""
    return page.evaluate(
        """async (href) => {
            const response = await fetch(href);
            const bytes = Array.from(new Uint8Array(await response.arrayBuffer()));
            return {status: response.status, body: bytes,
                    nosniff: response.headers.get("x-content-type-options"),
                    disposition: response.headers.get("content-disposition")};
        }""",
        href,
    )


def sign_out(page) -> None:
    page.locator("header .dropdown-toggle").click()
    page.get_by_role("button", name="Sign out").click()


def test_upload_download_and_share_a_contract(page, tenant_url, depot, tmp_path):
    contract = tmp_path / "master-agreement.pdf"
    contract.write_bytes(CONTRACT)
    title = f"Master agreement {uuid.uuid4().hex[:6]}"  # unique in a kept database

    sign_in(page, tenant_url, "staff@browser.example")
    page.goto(f"{tenant_url}/customers/{depot.pk}/documents/")
    page.get_by_text("Upload a document").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("File").set_input_files(str(contract))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text(f"Uploaded {title}.")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("Version 1", exact=True)).to_be_visible()

    # The download goes through the app: the same bytes, inline (a PDF), never sniffed.
    href = page.get_by_role("link", name="Download", exact=True).get_attribute("href")
    response = fetch(page, href)
    assert response["status"] == 200 and bytes(response["body"]) == CONTRACT
    assert response["nosniff"] == "nosniff"
    assert response["disposition"].startswith("inline")

    # Back on the customer's tab it is listed; then it is shared with the portal.
    page.goto(f"{tenant_url}/customers/{depot.pk}/documents/")
    page.get_by_role("link", name=title, exact=True).click()
    page.get_by_role("button", name="Share with the portal").click()
    expect(page.get_by_text("Shared with the portal").first).to_be_visible()
    sign_out(page)

    # The company's admin finds it in the portal and downloads it.
    sign_in(page, tenant_url, PORTAL_ADMIN, PASSWORD)
    page.goto(f"{tenant_url}/portal/c/{depot.pk}/documents/")
    expect(page.locator("span.fw-semibold", has_text=title)).to_be_visible()
    link = page.get_by_role("link", name=re.compile(f"Download {title}"))
    response = fetch(page, link.get_attribute("href"))
    assert response["status"] == 200 and bytes(response["body"]) == CONTRACT
