"""The console's service desk and the portal's Support section as people use them: the queue,
a ticket's page and its forms, opening a ticket for a company, files, and what a company's
users can and cannot see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StaffRole
from tests.factories import CustomerFactory, MembershipFactory
from tickets import services
from tickets.models import Attachment, Message, Ticket

from .conftest import pdf

pytestmark = pytest.mark.django_db


def open_ticket(user, company, subject="Printer on fire", **kwargs):
    return services.ticket_open(
        actor=user, customer_id=company.pk, subject=subject, description="Help", **kwargs
    )


def test_the_queue_shows_unresolved_tickets_until_asked_for_more(client_as, requester, customer):
    client = client_as(StaffRole.STAFF)
    waiting = open_ticket(requester, customer, "Waiting one")
    done = open_ticket(requester, customer, "Finished one")
    services.ticket_set_status(actor=client.user, ticket_id=done.pk, status="closed")
    html = client.get(reverse("tickets:ticket_list")).content.decode()
    assert waiting.subject in html and done.subject not in html
    html = client.get(reverse("tickets:ticket_list") + "?status=all").content.decode()
    assert waiting.subject in html and done.subject in html
    html = client.get(
        reverse("tickets:ticket_list") + f"?q=T-{done.pk}&status=all"
    ).content.decode()
    assert done.subject in html and waiting.subject not in html
    mine = client.get(reverse("tickets:ticket_list") + "?assignee=me").content.decode()
    assert waiting.subject not in mine


def test_the_queue_and_a_ticket_page_keep_their_query_counts(
    client_as, requester, customer, django_assert_max_num_queries
):
    client = client_as(StaffRole.STAFF)
    ticket = open_ticket(requester, customer, files=[pdf()])
    services.ticket_reply(actor=client.user, ticket_id=ticket.pk, body="One", files=[pdf()])
    urls = [reverse("tickets:ticket_list"), ticket.get_absolute_url()]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    for n in range(8):
        other = CustomerFactory()
        open_ticket(MembershipFactory(customer=other, role="full").user, other, f"More {n}")
        services.ticket_reply(
            actor=requester, ticket_id=ticket.pk, body=f"Reply {n}", files=[pdf()]
        )
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_staff_reply_note_and_change_a_ticket_from_its_page(client_as, ticket):
    client = client_as(StaffRole.STAFF)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Printer on fire" in page and "<strong>printer</strong>" in page
    response = client.post(
        reverse("tickets:ticket_reply", args=[ticket.pk]),
        {"body": "Secret remark", "internal": "on", "status": "waiting", "files": [pdf()]},
    )
    assert response.status_code == 302
    client.post(
        reverse("tickets:ticket_status", args=[ticket.pk]), {"status": "resolved", "reason": "ok"}
    )
    client.post(
        reverse("tickets:ticket_update", args=[ticket.pk]),
        {"priority": "urgent", "category": "billing", "assignee": client.user.pk},
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("resolved", "urgent", client.user)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Secret remark" in page and "Internal note" in page and "screenshot.pdf" in page


def test_an_empty_reply_says_so_and_writes_nothing(client_as, ticket):
    client = client_as(StaffRole.STAFF)
    response = client.post(
        reverse("tickets:ticket_reply", args=[ticket.pk]), {"body": "  ", "status": "waiting"}
    )
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not Message.objects.exists()


def test_a_refused_file_is_named_and_nothing_is_written(client_as, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(StaffRole.STAFF)
    response = client.post(
        reverse("tickets:ticket_reply", args=[ticket.pk]),
        {
            "body": "See attached",
            "status": "waiting",
            "files": [SimpleUploadedFile("evil.svg", b"<svg onload=alert(1)>")],
        },
    )
    assert response.status_code == 400
    assert (
        "evil.svg" in response.content.decode()
        and "cannot be uploaded" in response.content.decode()
    )
    assert not Message.objects.exists() and not Attachment.objects.filter(message__isnull=False)


def test_staff_open_a_ticket_for_a_company_and_its_portal_user_becomes_the_requester(
    client_as, customer, requester
):
    client = client_as(StaffRole.STAFF)
    form = client.get(reverse("tickets:ticket_create") + f"?customer={customer.pk}")
    assert customer.name in form.content.decode()
    response = client.post(
        reverse("tickets:ticket_create"),
        {
            "customer": customer.pk,
            "requester_email": "RITA@acme.example",
            "subject": "Called about the VPN",
            "description": "Rita called: VPN drops every hour.",
            "category": "problem",
            "priority": "high",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert (ticket.requester, ticket.opened_by) == (requester, client.user)
    tab = client.get(reverse("customers:customer_tickets", args=[customer.pk])).content.decode()
    assert "Called about the VPN" in tab and "Open a ticket" in tab


def test_viewers_read_tickets_but_cannot_work_them(client_as, ticket):
    client = client_as(StaffRole.VIEWER)
    page = client.get(ticket.get_absolute_url())
    assert page.status_code == 200 and "Send" not in page.content.decode()
    response = client.post(reverse("tickets:ticket_status", args=[ticket.pk]), {"status": "closed"})
    assert response.status_code == 403
    assert client.get(reverse("tickets:ticket_create")).status_code == 403


# --- The portal ---------------------------------------------------------------------------


def test_a_company_user_opens_a_ticket_with_a_file_and_replies(portal_client, customer, staff):
    client = portal_client(customer, role="full")
    response = client.post(
        reverse("portal:ticket_open", args=[customer.pk]),
        {
            "subject": "Laptop screen cracked",
            "description": "Dropped it. *Sorry.*",
            "category": "problem",
            "priority": "normal",
            "files": [pdf("crack.pdf")],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.portal_url()
    services.ticket_reply(actor=staff, ticket_id=ticket.pk, body="Send us a photo")
    services.ticket_reply(actor=staff, ticket_id=ticket.pk, body="Costly customer", internal=True)
    page = client.get(ticket.portal_url()).content.decode()
    assert "Send us a photo" in page and "Costly customer" not in page
    assert "<em>Sorry.</em>" in page and "crack.pdf" in page
    file = ticket.attachments.get()
    download = client.get(
        reverse("portal:ticket_attachment", args=[customer.pk, ticket.pk, file.pk])
    )
    assert download.status_code == 200 and download["Content-Disposition"].startswith("inline")
    client.post(ticket.portal_url(), {"body": "Here it is", "files": [pdf("photo.pdf")]})
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.messages.last().body == "Here it is"
    listing = client.get(reverse("portal:tickets", args=[customer.pk])).content.decode()
    assert "Laptop screen cracked" in listing


def test_a_company_never_reaches_internal_files_or_another_companys_tickets(
    portal_client, customer, staff, ticket
):
    note = services.ticket_reply(
        actor=staff, ticket_id=ticket.pk, body="internal", internal=True, files=[pdf("x.pdf")]
    )
    file = note.attachments.get()
    client = portal_client(customer, role="admin")
    url = reverse("portal:ticket_attachment", args=[customer.pk, ticket.pk, file.pk])
    assert client.get(url).status_code == 404
    other = CustomerFactory()
    theirs = open_ticket(MembershipFactory(customer=other, role="full").user, other, "Theirs")
    assert (
        client.get(reverse("portal:ticket_detail", args=[customer.pk, theirs.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("portal:ticket_detail", args=[other.pk, theirs.pk])).status_code == 404
    )
    assert (
        "Theirs" not in client.get(reverse("portal:tickets", args=[customer.pk])).content.decode()
    )


def test_read_only_users_read_but_cannot_open_or_reply(portal_client, customer, ticket):
    client = portal_client(customer, role="read_only")
    page = client.get(ticket.portal_url()).content.decode()
    assert "Printer on fire" in page and "Send reply" not in page
    assert client.post(ticket.portal_url(), {"body": "hi"}).status_code == 403
    assert client.get(reverse("portal:ticket_open", args=[customer.pk])).status_code == 403
    listing = client.get(reverse("portal:tickets", args=[customer.pk])).content.decode()
    assert "Open a ticket" not in listing


def test_a_closed_ticket_asks_for_a_new_one(portal_client, customer, staff, ticket):
    services.ticket_set_status(actor=staff, ticket_id=ticket.pk, status="closed")
    client = portal_client(customer, role="full")
    page = client.get(ticket.portal_url()).content.decode()
    assert "This ticket is closed" in page and "Send reply" not in page
    response = client.post(ticket.portal_url(), {"body": "One more thing"})
    assert response.status_code == 400 and "Open a new ticket" in response.content.decode()
    assert not ticket.messages.exists()


def test_a_tickets_page_gives_every_element_its_own_id(client_as, ticket):
    """The reply form and the status form both have a "status" field: labels must point at
    their own select (a browser test once chose the reply's select by the label "Move to")."""
    import re
    from collections import Counter

    html = client_as(StaffRole.STAFF).get(ticket.get_absolute_url()).content.decode()
    repeated = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
    assert repeated == []
