"""The dashboard's "needs attention" panel (instead of staff sign-in counts): overdue invoices
with their totals per currency, suspended companies, drafts waiting to be issued and failed
webhook deliveries, each linking to a list filtered to exactly those records; for those who
may act on them; a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import StaffRole
from customers.models import Customer
from tests.factories import CustomerFactory, InvoiceFactory, WebhookEndpointFactory
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def items(response) -> dict:
    return {item.key: item for item in response.context["attention"]}


def failed_delivery(endpoint, **fields):
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event="customer.created", payload={}, status="failed", **fields
    )


def world(overdue: int = 1, suspended: int = 1, failures: int = 1):
    for _ in range(overdue):
        InvoiceFactory(status="overdue", total="1000.50", amount_paid="0.25", currency="USD")
    InvoiceFactory(status="overdue", total="80.00", currency="EUR")
    InvoiceFactory(status="issued", total="5.00")  # not overdue
    InvoiceFactory(status="draft", number=None, total="70.00")
    ids = [CustomerFactory(name=f"Suspended {index}").pk for index in range(suspended)]
    Customer.objects.filter(pk__in=ids).update(portal_access="suspended")
    CustomerFactory(name="Fine Co")
    endpoint = WebhookEndpointFactory(description="CRM sync")
    for _ in range(failures):
        failed_delivery(endpoint)
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="customer.created", payload={}, status="succeeded"
    )
    old = failed_delivery(endpoint)
    WebhookDelivery.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=9))
    return endpoint


def test_the_panel_lists_what_needs_attention_with_links_to_filtered_lists(client_as):
    endpoint = world(overdue=2, suspended=1, failures=3)
    owner = client_as(StaffRole.OWNER)
    response = owner.get("/")
    found = items(response)
    overdue = found["overdue_invoices"]
    assert overdue.label == "3 overdue invoices"
    assert overdue.details == ["€80.00", "$2,000.50"]
    assert found["suspended_companies"].label == "1 suspended company"
    assert found["draft_invoices"].label == "1 draft invoice to issue"
    hooks = found[f"failed_webhooks_{endpoint.pk}"]
    assert hooks.label == "3 failed webhook deliveries to CRM sync (7 days)"
    page = response.content.decode()
    assert "Needs attention" in page and "$2,000.50" in page
    assert "Sign-ins</div>" not in page and "Failed sign-ins" not in page  # no staff counts

    invoices = owner.get(overdue.url)
    assert {i.status for i in invoices.context["table"].data} == {"overdue"}
    assert len(invoices.context["table"].data) == 3
    customers = owner.get(found["suspended_companies"].url)
    names = [c.name for c in customers.context["table"].data]
    assert names == ["Suspended 0"]
    drafts = owner.get(found["draft_invoices"].url)
    assert [i.status for i in drafts.context["table"].data] == ["draft"]
    deliveries = owner.get(hooks.url)
    assert [d.status for d in deliveries.context["deliveries"]] == ["failed"] * 4
    assert len(owner.get(hooks.url.split("?")[0]).context["deliveries"]) == 5


def test_each_person_sees_what_they_may_act_on(client_as):
    world()
    viewer = items(client_as(StaffRole.VIEWER).get("/"))
    assert set(viewer) == {"overdue_invoices", "suspended_companies"}  # no drafts, no webhooks
    admin = items(client_as(StaffRole.ADMIN).get("/"))
    assert "draft_invoices" in admin and not any(key.startswith("failed_") for key in admin)


def test_nothing_to_do_says_so(client_as):
    CustomerFactory()
    response = client_as(StaffRole.OWNER).get("/")
    assert response.context["attention"] == []
    assert "Nothing needs your attention" in response.content.decode()


def test_the_panel_costs_the_same_queries_however_much_needs_attention(client_as):
    world(overdue=1, suspended=1, failures=1)
    owner = client_as(StaffRole.OWNER)
    owner.get("/")
    with CaptureQueriesContext(connection) as small:
        owner.get("/")
    world(overdue=12, suspended=6, failures=8)  # and a second endpoint with failures
    with CaptureQueriesContext(connection) as large:
        response = owner.get("/")
    assert len(items(response)) == 5
    assert len(large) == len(small)
