"""Tickets in the API: scoped reads, writes through the services (bad input: a 400 and
nothing written), the thread with its notes, status and assignment, merge; in the schema."""

from __future__ import annotations

import json

import pytest

from accounts.models import StaffRole
from tests.factories import CustomerFactory, MembershipFactory
from tickets import services
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

LIST = "/api/v1/tickets/"


def send(client, method, url, data):
    headers = {}
    if method == "patch":  # updates carry the ETag the client last read
        headers["If-Match"] = client.get(url)["ETag"]
    return getattr(client, method)(
        url, json.dumps(data), content_type="application/json", headers=headers
    )


def test_open_work_and_read_a_ticket_through_the_api(api_as, customer, requester):
    client = api_as(StaffRole.STAFF)
    created = send(
        client,
        "post",
        LIST,
        {
            "customer": customer.pk,
            "subject": "Phoned in",
            "description": "**Router** down",
            "priority": "urgent",
            "requester_email": "rita@acme.example",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reference"] == f"T-{body['id']}" and body["requester"] == requester.pk
    assert "<strong>Router</strong>" in body["description_html"]
    url = f"{LIST}{body['id']}/"
    note = send(client, "post", f"{url}messages/", {"body": "Check the PSU", "internal": True})
    reply = send(client, "post", f"{url}messages/", {"body": "On our way"})
    assert (note.status_code, reply.status_code) == (201, 201)
    patched = send(
        client,
        "patch",
        url,
        {"status": "resolved", "reason": "Replaced", "assignee": client.user.pk},
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["status"], patched.json()["assignee"]) == ("resolved", client.user.pk)
    thread = client.get(f"{url}messages/").json()["results"]
    assert [m["is_internal"] for m in thread] == [True, False]
    assert [t["id"] for t in client.get(LIST + "?open=false").json()["results"]] == [body["id"]]
    assert client.get(LIST + "?open=true").json()["results"] == []


def test_bad_input_is_a_400_and_writes_nothing(api_as, customer, ticket):
    client = api_as(StaffRole.STAFF)
    for data in (
        {"customer": customer.pk, "subject": "", "description": "x"},
        {"customer": customer.pk, "subject": "x", "description": "x", "priority": "meh"},
        {"customer": 10**9, "subject": "x", "description": "x"},
        {"customer": customer.pk, "subject": "x", "description": "x", "surprise": 1},
    ):
        assert send(client, "post", LIST, data).status_code == 400, data
    url = f"{LIST}{ticket.pk}/"
    assert send(client, "patch", url, {"assignee": 10**9}).status_code == 400
    assert send(client, "post", f"{url}merge/", {"into": ticket.pk}).status_code == 400
    assert Ticket.objects.count() == 1 and not Message.objects.exists()


def test_viewers_read_and_customer_tokens_get_nothing(api_as, ticket, customer):
    viewer = api_as(StaffRole.VIEWER)
    assert viewer.get(f"{LIST}{ticket.pk}/").status_code == 200
    assert send(viewer, "post", f"{LIST}{ticket.pk}/messages/", {"body": "x"}).status_code == 403
    member = MembershipFactory(customer=customer, role="admin").user
    portal = api_as(user=member)
    assert portal.get(LIST).status_code == 403


def test_merge_through_the_api(api_as, customer, requester):
    client = api_as(StaffRole.STAFF)
    first, second = (
        services.ticket_open(actor=requester, customer_id=customer.pk, subject=s, description="y")
        for s in ("First", "Second")
    )
    response = send(client, "post", f"{LIST}{second.pk}/merge/", {"into": first.pk})
    assert response.status_code == 200 and response.json()["id"] == first.pk
    second.refresh_from_db()
    assert second.merged_into_id == first.pk


def test_limited_staff_reach_only_their_customers_tickets(api_as, make_user, requester, customer):
    from customers.access import staff_customer_access_set

    ticket = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="Hidden", description="y"
    )
    limited = make_user(role=StaffRole.STAFF)
    staff_customer_access_set(
        member=limited,
        access="assigned",
        teams=[],
        customers=[CustomerFactory()],
        actor=make_user(role=StaffRole.OWNER),
    )
    client = api_as(user=limited)
    assert client.get(f"{LIST}{ticket.pk}/").status_code == 404
    assert client.get(LIST).json()["results"] == []


def test_tickets_are_in_the_openapi_schema(tenant_client):
    paths = tenant_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "/api/v1/tickets/{id}/messages/" in paths and "/api/v1/tickets/{id}/merge/" in paths


def test_an_update_needs_the_etag_the_client_read(api_as, ticket, staff):
    client = api_as(StaffRole.STAFF)
    url = f"{LIST}{ticket.pk}/"
    etag = client.get(url)["ETag"]
    data = json.dumps({"priority": "low"})
    missing = client.patch(url, data, content_type="application/json")
    assert missing.status_code == 428
    services.ticket_reply(actor=staff, ticket_id=ticket.pk, body="Meanwhile")
    stale = client.patch(url, data, content_type="application/json", headers={"If-Match": etag})
    assert stale.status_code == 412
    ticket.refresh_from_db()
    assert ticket.priority == "high"
    fresh = client.get(url)["ETag"]
    done = client.patch(url, data, content_type="application/json", headers={"If-Match": fresh})
    assert done.status_code == 200 and done["ETag"] != fresh
