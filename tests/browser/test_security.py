"""The content security policy allows no inline script, yet every scripted part of the product
still works: the landing page's workspace jump, the dashboard charts, the API docs, the portal's
company switcher and its confirmation before removing a user. (The `page` fixture fails any test
during which the policy blocked something.)"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from portal.models import Membership
from tests.factories import CustomerFactory, MembershipFactory

from .conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="session")
def agency(browser_tenant, django_db_blocker):
    """An agency with a sub-account and two users, committed for the server process."""
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        parent = CustomerFactory(name="Switchboard Agency")
        child = CustomerFactory(name="Switchboard Client", parent=parent)
        boss = MembershipFactory(customer=parent, role="admin", user__email="boss@switch.example")
        colleague = MembershipFactory(customer=parent, user__email="pat@switch.example")
        for member in (boss, colleague):
            member.user.set_password(PASSWORD)
            member.user.save()
            EmailAddress.objects.update_or_create(
                user=member.user,
                email=member.user.email,
                defaults={"verified": True, "primary": True},
            )
        data = {"parent": parent.pk, "child": child.pk, "colleague": colleague.pk}
    connection.set_schema_to_public()
    return data


def test_every_response_carries_a_policy_without_inline_script(page, tenant_url):
    response = page.goto(f"{tenant_url}/accounts/login/")
    directives = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_landing_page_jumps_to_the_workspace_sign_in(page, live_server_port):
    page.goto(f"http://localhost:{live_server_port}/")
    page.get_by_label("Workspace name").fill("Browser")
    page.get_by_role("button", name="Go").click()
    expect(page).to_have_url(f"http://browser.localhost:{live_server_port}/accounts/login/")
    expect(page.get_by_label("Email")).to_be_visible()


def test_dashboard_charts_draw_and_api_docs_load(page, tenant_url):
    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/")
    charts = page.locator("canvas[data-chart]")
    expect(charts.first).to_have_attribute("data-drawn", "1")
    assert charts.count() == page.locator("canvas[data-chart][data-drawn]").count()

    page.goto(f"{tenant_url}/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Clientele API").first).to_be_visible()


def test_portal_company_switcher_and_remove_confirmation(page, tenant_url, agency, browser_tenant):
    sign_in(page, tenant_url, "boss@switch.example")
    expect(page).to_have_url(re.compile(rf"/portal/c/{agency['parent']}/"))
    page.locator("#company-switch").select_option(str(agency["child"]))
    expect(page).to_have_url(re.compile(rf"/portal/c/{agency['child']}/"))
    expect(page.locator("#company-switch")).to_have_value(str(agency["child"]))

    page.goto(f"{tenant_url}/portal/c/{agency['parent']}/users/{agency['colleague']}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("button", name="Remove")).to_be_visible()
    with schema_context(browser_tenant.schema_name):
        assert Membership.objects.filter(pk=agency["colleague"]).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Removed pat@switch.example.")).to_be_visible()
    with schema_context(browser_tenant.schema_name):
        assert not Membership.objects.filter(pk=agency["colleague"]).exists()
