"""The service desk's writes as a company's user and its provider's staff see them: who may
do what, what each write records, who is told, and bad input that changes nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from accounts.models import StaffRole
from core.notifications import Notification
from tests.factories import AssetFactory, CustomerFactory, MembershipFactory, UserFactory
from tickets import merging, services
from tickets.models import Attachment, Message, Ticket

from .conftest import pdf

pytestmark = pytest.mark.django_db


def reply(actor, ticket, body="Thanks, on it.", **kwargs):
    return services.ticket_reply(actor=actor, ticket_id=ticket.pk, body=body, **kwargs)


def test_a_companys_user_opens_a_ticket_and_is_told_it_was_received(
    requester, customer, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_open(
            actor=requester,
            customer_id=customer.pk,
            subject="  VPN down  ",
            description="Since **9am**<script>alert(1)</script>",
            category="problem",
            priority="urgent",
            files=[pdf()],
        )
    assert (ticket.subject, ticket.status, ticket.requester) == ("VPN down", "new", requester)
    assert "<strong>9am</strong>" in ticket.description_html
    assert "script" not in ticket.description_html
    assert ticket.history.first().history_change_reason == "Opened in the portal"
    assert ticket.attachments.get().original_name == "screenshot.pdf"
    [email] = mail.outbox
    assert email.to == ["rita@acme.example"]
    assert f"[T-{ticket.pk} #{ticket.reply_token}]" in email.subject
    assert f"/portal/c/{customer.pk}/tickets/{ticket.pk}/" in email.body
    # Staff who work tickets hear of it in their notification list.
    assert Notification.objects.filter(recipient=staff, kind="ticket_opened").exists()


def test_a_read_only_user_cannot_open_one_and_another_company_is_not_found(customer):
    reader = MembershipFactory(customer=customer, role="read_only").user
    with pytest.raises(PermissionDenied):
        services.ticket_open(actor=reader, customer_id=customer.pk, subject="x", description="y")
    other = CustomerFactory()
    writer = MembershipFactory(customer=customer, role="full").user
    with pytest.raises(Http404):
        services.ticket_open(actor=writer, customer_id=other.pk, subject="x", description="y")
    assert not Ticket.objects.exists()


def test_bad_input_says_what_is_wrong_and_writes_nothing(requester, customer):
    theirs = AssetFactory(owner=CustomerFactory())
    cases = [
        ({"subject": " ", "description": "y"}, "subject"),
        ({"subject": "x" * 201, "description": "y"}, "subject"),
        ({"subject": "x", "description": ""}, "description"),
        ({"subject": "x", "description": "y" * 20_001}, "description"),
        ({"subject": "x", "description": "y", "priority": "apocalyptic"}, "priority"),
        ({"subject": "x", "description": "y", "asset_id": theirs.pk}, "asset"),
        ({"subject": "x", "description": "y", "files": [pdf()] * 6}, "files"),
        (
            {
                "subject": "x",
                "description": "y",
                "files": [SimpleUploadedFile("page.html", b"<script>alert(1)</script>")],
            },
            "files",
        ),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.ticket_open(actor=requester, customer_id=customer.pk, **data)
        assert field in refused.value.message_dict, data
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_a_public_reply_waits_on_the_customer_and_emails_them(
    ticket, staff, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(staff, ticket, "Have you tried **water**?")
    ticket.refresh_from_db()
    assert ticket.status == "waiting" and ticket.first_response_at is not None
    [email] = mail.outbox
    assert email.to == ["rita@acme.example"] and "Have you tried **water**?" in email.body
    assert email.subject.startswith("Re: Printer on fire [T-")


def test_an_internal_note_changes_nothing_the_customer_sees(
    ticket, staff, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        note = reply(staff, ticket, "They never pay on time", internal=True, files=[pdf()])
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.first_response_at is None
    assert mail.outbox == []
    assert not Message.objects.public().filter(pk=note.pk).exists()
    assert not Attachment.objects.public().filter(message=note).exists()


def test_only_staff_write_internal_notes(ticket, requester):
    with pytest.raises(PermissionDenied):
        reply(requester, ticket, "sneaky", internal=True)
    assert not ticket.messages.exists()


def test_the_customers_reply_opens_a_waiting_or_resolved_ticket_and_tells_the_assignee(
    ticket, staff, admin, requester
):
    services.ticket_update(actor=admin, ticket_id=ticket.pk, data={"assignee_id": staff.pk})
    reply(admin, ticket, "Is it still burning?")
    reply(requester, ticket, "Yes")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert Notification.objects.filter(recipient=staff, kind="ticket_replied").count() == 1
    services.ticket_set_status(actor=staff, ticket_id=ticket.pk, status="resolved")
    reply(requester, ticket, "It caught fire again")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at) == ("open", None)


def test_nobody_replies_to_a_closed_ticket(ticket, staff, requester):
    services.ticket_set_status(actor=staff, ticket_id=ticket.pk, status="closed", reason="Done")
    with pytest.raises(ValidationError, match="Open a new ticket"):
        reply(requester, ticket, "One more thing")
    with pytest.raises(ValidationError, match="reopen it"):
        reply(staff, ticket, "One more thing")
    reply(staff, ticket, "Closed for good", internal=True)  # notes are always allowed
    assert ticket.messages.count() == 1


def test_status_changes_are_recorded_and_emailed(ticket, staff, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_set_status(
            actor=staff, ticket_id=ticket.pk, status="resolved", reason="Replaced"
        )
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    record = ticket.history.first()
    assert (record.history_user, record.history_change_reason) == (
        staff,
        "New → Resolved: Replaced",
    )
    assert mail.outbox[0].subject.startswith("Resolved: Printer on fire")
    with pytest.raises(ValidationError):
        services.ticket_set_status(actor=staff, ticket_id=ticket.pk, status="resolved")


def test_viewers_and_customers_cannot_work_tickets(ticket, requester, in_tenant):
    viewer = UserFactory(role=StaffRole.VIEWER)
    for actor in (viewer, requester):
        with pytest.raises(PermissionDenied):
            services.ticket_set_status(actor=actor, ticket_id=ticket.pk, status="open")
        with pytest.raises(PermissionDenied):
            services.ticket_update(actor=actor, ticket_id=ticket.pk, data={"priority": "low"})


def test_an_assignee_must_be_staff_who_can_see_the_company(ticket, admin, requester, staff):
    with pytest.raises(ValidationError, match="active member"):
        services.ticket_update(actor=admin, ticket_id=ticket.pk, data={"assignee_id": requester.pk})
    services.ticket_update(
        actor=admin, ticket_id=ticket.pk, data={"assignee_id": staff.pk, "priority": "low"}
    )
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.priority) == (staff, "low")
    assert ticket.history.first().history_change_reason == "Changed priority, assignee"
    assert Notification.objects.filter(recipient=staff, kind="ticket_assigned").exists()


def test_merging_moves_the_thread_and_closes_the_duplicate(ticket, requester, staff, customer):
    duplicate = services.ticket_open(
        actor=requester,
        customer_id=customer.pk,
        subject="Fire!!",
        description="Did you see my other ticket?",
        files=[pdf("photo.pdf")],
    )
    reply(staff, duplicate, "Looking")
    target = merging.ticket_merge(actor=staff, ticket_id=duplicate.pk, into_id=f"T-{ticket.pk}")
    duplicate.refresh_from_db()
    assert target == ticket
    assert (duplicate.status, duplicate.merged_into) == ("closed", ticket)
    bodies = list(ticket.messages.values_list("body", flat=True))
    assert "Did you see my other ticket?" in bodies[0] and bodies[1] == "Looking"
    assert ticket.attachments.get().original_name == "photo.pdf"
    assert duplicate.history.first().history_change_reason == f"Merged into T-{ticket.pk}"
    assert ticket.history.first().history_change_reason == f"T-{duplicate.pk} merged into it"
    with pytest.raises(ValidationError, match="merged"):
        reply(requester, duplicate, "hello?")


def test_bad_merges_are_refused(ticket, staff, requester):
    theirs = MembershipFactory(role="full")
    other = services.ticket_open(
        actor=theirs.user, customer_id=theirs.customer_id, subject="Theirs", description="x"
    )
    for into, message in (
        (ticket.pk, "itself"),
        (other.pk, "another company"),
        ("banana", "number"),
        (10**9, "no ticket"),
    ):
        with pytest.raises(ValidationError, match=message):
            merging.ticket_merge(actor=staff, ticket_id=ticket.pk, into_id=into)
    assert not Ticket.objects.filter(merged_into__isnull=False).exists()


def test_a_purge_removes_the_companys_tickets_and_their_files(
    requester, customer, django_capture_on_commit_callbacks
):
    from customers import services as customer_services
    from documents.storage import documents_storage

    ticket = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="x", description="y", files=[pdf()]
    )
    key = ticket.attachments.get().file.name
    assert documents_storage().exists(key)
    customer_services.customer_soft_delete(customer_id=customer.pk, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.customer_purge(customer_id=customer.pk, actor=None)
    assert not Ticket.objects.exists() and not documents_storage().exists(key)


def test_the_customers_history_tab_shows_its_tickets(requester, customer, client_as):
    services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="Shown in history", description="y"
    )
    client = client_as(StaffRole.STAFF)
    from django.urls import reverse

    page = client.get(reverse("customers:customer_history", args=[customer.pk]))
    assert "Opened in the portal" in page.content.decode()


def test_webhooks_hear_of_tickets_opened_and_changed(requester, customer, staff):
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(
        url="https://hooks.example/desk", events=["ticket.created", "ticket.updated"]
    )
    ticket = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="Hooked", description="y"
    )
    reply(staff, ticket, "On it")
    sent = [d.payload for d in WebhookDelivery.objects.order_by("pk")]
    assert [p["event"] for p in sent] == ["ticket.created", "ticket.updated"]
    assert sent[0]["object"] == {
        "type": "ticket",
        "id": ticket.pk,
        "name": f"T-{ticket.pk} Hooked",
        "reference": f"T-{ticket.pk}",
        "subject": "Hooked",
        "status": "new",
        "priority": "normal",
        "category": "question",
        "customer_id": customer.pk,
        "assignee_id": None,
    }
    assert {"field": "status", "old": "new", "new": "waiting"} in sent[1]["changes"]


def test_the_sweep_removes_ticket_bytes_no_row_names_and_keeps_the_rest(ticket, requester):
    import os
    import time

    from django.core.files.base import ContentFile

    from documents.services import documents_sweep_orphans
    from documents.storage import documents_storage, new_key

    storage = documents_storage()
    kept = services.ticket_reply(
        actor=requester, ticket_id=ticket.pk, body="Photo", files=[pdf()]
    ).attachments.get()
    orphans = [
        storage.save(new_key(folder), ContentFile(b"left behind"))
        for folder in ("tickets", "tickets-inbound")
    ]
    old = time.time() - 2 * 3600
    for key in [*orphans, kept.file.name]:
        os.utime(storage.path(key), (old, old))
    assert documents_sweep_orphans() >= 2  # (and what earlier tests left behind)
    assert not any(storage.exists(key) for key in orphans)
    assert storage.exists(kept.file.name)


def test_a_new_tickets_random_token_is_not_looked_up_but_still_unique(requester, customer):
    """core.services.full_clean skips the query asking whether a fresh reply token is taken
    (48 random bits); the unique index still refuses a taken one, and an edit of the ticket
    still checks it."""
    from django.db import IntegrityError, connection, transaction
    from django.test.utils import CaptureQueriesContext

    from core.services import full_clean

    first = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="One", description="x"
    )
    fresh = Ticket(customer=customer, subject="Two", description="y")
    with CaptureQueriesContext(connection) as queries:
        full_clean(fresh)
    assert not any("reply_token" in q["sql"] for q in queries.captured_queries)
    fresh.reply_token = first.reply_token
    with pytest.raises(IntegrityError), transaction.atomic():
        fresh.save()
    second = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="Two", description="y"
    )
    second.reply_token = first.reply_token
    with pytest.raises(ValidationError):
        full_clean(second)
