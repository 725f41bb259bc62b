"""The service desk's other pages cost the same number of queries with one record or many:
the portal's Support list and a ticket there, triage, the service levels, the report, the
analytics' support figures and the owner's mail-in settings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StaffRole
from tests.factories import CustomerFactory, MembershipFactory
from tickets import services
from tickets.inbound import receive
from tickets.models_sla import SlaPolicy
from tickets.rating import ticket_rate

from .conftest import pdf
from .test_mail_in import email

pytestmark = pytest.mark.django_db


def counted(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def more_of_everything(n: int, customer, requester, staff) -> None:
    for index in range(n):
        ticket = services.ticket_open(
            actor=requester,
            customer_id=customer.pk,
            subject=f"Issue {n}-{index}",
            description="x",
            files=[pdf()],
        )
        services.ticket_reply(actor=staff, ticket_id=ticket.pk, body="On it", files=[pdf()])
        services.ticket_reply(actor=staff, ticket_id=ticket.pk, body="Done", status="resolved")
        ticket_rate(ticket_id=ticket.pk, score="good", actor=requester)
        other = CustomerFactory()
        services.ticket_open(
            actor=MembershipFactory(customer=other, role="full").user,
            customer_id=other.pk,
            subject=f"Elsewhere {n}-{index}",
            description="x",
        )
        receive(email(f"stranger{n}{index}@nowhere.example", f"Who am I {n}-{index}"))
        SlaPolicy.objects.create(name=f"Policy {n}-{index}", first_response_high=60)


def test_support_pages_keep_their_query_counts(
    client_as, portal_client, customer, requester, staff
):
    more_of_everything(1, customer, requester, staff)
    ticket = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="Open one", description="x"
    )
    services.ticket_reply(actor=staff, ticket_id=ticket.pk, body="First", files=[pdf()])
    portal = portal_client(customer, role="full")
    console = client_as(StaffRole.ADMIN)
    portal_urls = [
        reverse("portal:tickets", args=[customer.pk]),
        reverse("portal:ticket_detail", args=[customer.pk, ticket.pk]),
    ]
    console_urls = [
        reverse("tickets:triage"),
        reverse("tickets:sla_policies"),
        reverse("tickets:report"),
        reverse("billing:analytics"),
        reverse("customers:customer_analytics", args=[customer.pk]),
    ]
    owner = client_as(StaffRole.OWNER)
    owner_urls = [reverse("tickets:mail_in")]
    counts = {url: counted(portal, url) for url in portal_urls}
    counts.update({url: counted(console, url) for url in console_urls})
    counts.update({url: counted(owner, url) for url in owner_urls})
    more_of_everything(6, customer, requester, staff)
    for n in range(4):  # a longer thread with more files on the page measured
        services.ticket_reply(actor=staff, ticket_id=ticket.pk, body=f"More {n}", files=[pdf()])
    for client, urls in ((portal, portal_urls), (console, console_urls), (owner, owner_urls)):
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            assert len(queries) <= counts[url], url
