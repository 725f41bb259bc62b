"""Support mail in, through a real Maildir folder: who a message comes from decides whether it
becomes a ticket of their company, a reply on its thread (by the token in the subject) or an
entry in triage; automatic replies are ignored; nothing a message carries is rendered as HTML
and nothing is lost (an over-long body or a refused file leaves a note, the raw email stays)."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from customers.models_contacts import Contact
from portal.models import CompanyDomain
from tests.factories import CustomerFactory
from tickets import services
from tickets.emails import subject_tag
from tickets.inbound import receive
from tickets.mailbox import maildir_of, poll_current_tenant
from tickets.models import InboundEmail, Ticket

from .conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def maildir(settings, tmp_path, in_tenant) -> mailbox.Maildir:
    settings.TICKETS_MAILDIR_ROOT = str(tmp_path)
    return mailbox.Maildir(maildir_of(in_tenant.schema_name), create=True)


def email(
    sender: str,
    subject: str = "Help",
    text: str | None = "Something is wrong.",
    html: str | None = None,
    files=(),
    **headers,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@alpha.example"
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", f"<{abs(hash((sender, subject, text)))}@x>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for name, data, maintype, subtype in files:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def test_mail_from_a_companys_user_opens_a_ticket_with_its_file(
    maildir, customer, requester, staff, django_capture_on_commit_callbacks
):
    maildir.add(
        email(
            "Rita <RITA@acme.example>",
            "Re: Fwd: Backup failed",
            "The nightly backup failed.",
            html="<p>The nightly backup <b>failed</b>.</p>",
            files=[("log.pdf", PDF, "application", "pdf")],
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_current_tenant().read == 1
    assert list(maildir.keys()) == []  # read messages leave the folder
    ticket = Ticket.objects.get()
    assert (ticket.customer, ticket.requester, ticket.subject) == (
        customer,
        requester,
        "Backup failed",
    )
    assert ticket.description == "The nightly backup failed."
    assert ticket.attachments.get().original_name == "log.pdf"
    assert ticket.history.first().history_change_reason == "Opened by email from rita@acme.example"
    assert staff.notifications.filter(kind="ticket_opened").exists()
    assert [m.to for m in mail.outbox] == [["rita@acme.example"]]  # the acknowledgement
    assert InboundEmail.objects.get().outcome == "ticket"


def test_a_contacts_address_or_a_verified_domain_finds_the_company(maildir, customer):
    Contact.objects.create(customer=customer, name="Carl", email="carl@acme-contacts.example")
    CompanyDomain.objects.create(
        customer=customer, domain="acme-verified.example", token="t", verified_at=timezone.now()
    )
    CompanyDomain.objects.create(customer=CustomerFactory(), domain="unverified.example", token="u")
    maildir.add(email("carl@acme-contacts.example", "From a contact"))
    maildir.add(email("new.person@acme-verified.example", "From the domain"))
    maildir.add(email("someone@unverified.example", "From an unverified domain"))
    poll_current_tenant()
    tickets = {t.subject: t for t in Ticket.objects.all()}
    assert set(tickets) == {"From a contact", "From the domain"}
    assert tickets["From a contact"].requester_email == "carl@acme-contacts.example"
    assert tickets["From the domain"].customer == customer
    assert InboundEmail.objects.get(subject="From an unverified domain").outcome == "triage"


def test_a_reply_lands_in_its_thread_without_the_quoted_history(maildir, ticket, staff):
    services.ticket_reply(actor=staff, ticket_id=ticket.pk, body="Did you unplug it?")
    body = "Yes, it is off now.\n\nOn Tue, 1 Dec 2026, Sam wrote:\n> Did you unplug it?\n"
    maildir.add(email("rita@acme.example", f"Re: Printer on fire {subject_tag(ticket)}", body))
    poll_current_tenant()
    ticket.refresh_from_db()
    reply = ticket.messages.last()
    assert (reply.body, reply.source, reply.author) == (
        "Yes, it is off now.",
        "email",
        ticket.requester,
    )
    assert ticket.status == "open"
    assert Ticket.objects.count() == 1


def test_a_forged_token_is_not_a_reply(maildir, ticket):
    forged = f"[T-{ticket.pk} #000000000000]"
    maildir.add(email("stranger@nowhere.example", f"Re: {forged}", "Let me in"))
    poll_current_tenant()
    assert not ticket.messages.exists()
    assert InboundEmail.objects.get().outcome == "triage"


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(maildir, ticket, staff):
    services.ticket_set_status(actor=staff, ticket_id=ticket.pk, status="closed")
    maildir.add(email("rita@acme.example", f"Re: {subject_tag(ticket)}", "It is back!"))
    poll_current_tenant()
    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert follow_up.subject == f"Follow-up to {ticket.reference}: Printer on fire"
    assert "It is back!" in follow_up.description and ticket.reference in follow_up.description
    ticket.refresh_from_db()
    assert ticket.status == "closed" and not ticket.messages.exists()


def test_the_same_message_twice_and_automatic_replies_are_harmless(maildir, requester):
    raw = email("rita@acme.example", "Only once", message_id="<once@x>")
    maildir.add(raw)
    maildir.add(raw)
    maildir.add(email("rita@acme.example", "Out of office", Auto_Submitted="auto-replied"))
    result = poll_current_tenant()
    assert result.read == 3 and result.failed == 0
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Only once"]
    assert InboundEmail.objects.get(subject="Out of office").outcome == "ignored"


def test_html_is_read_as_text_and_never_rendered(maildir, requester):
    html = '<p onclick="x()">Hi <script>alert(1)</script><img src=x onerror=alert(2)>there</p>'
    maildir.add(email("rita@acme.example", "HTML only", text=None, html=html))
    poll_current_tenant()
    ticket = Ticket.objects.get()
    assert ticket.description == "Hi there"
    assert "<script" not in ticket.description_html and "onerror" not in ticket.description_html


def test_malformed_headers_and_bodies_go_to_triage_not_to_an_error(maildir, in_tenant):
    maildir.add(b"From: =?utf-8?q?broken\r\nSubject: \xff\xfe bad\r\n\r\n\xff body")
    maildir.add(b"garbage without headers")
    result = poll_current_tenant()
    assert (result.read, result.failed) == (2, 0)
    assert set(InboundEmail.objects.values_list("outcome", flat=True)) == {"triage"}


def test_a_huge_body_and_a_refused_file_are_noted_and_the_raw_email_kept(
    maildir, requester, client_as
):
    maildir.add(
        email(
            "rita@acme.example",
            "Logs",
            "x" * 50_000,
            files=[("tool.exe", b"MZ\x90\x00", "application", "octet-stream")],
        )
    )
    poll_current_tenant()
    ticket = Ticket.objects.get()
    assert len(ticket.description) == 20_000 and ticket.description.endswith(
        "is kept with the ticket.]"
    )
    note = ticket.messages.get()
    assert note.is_internal and "tool.exe" in note.body
    client = client_as(StaffRole.STAFF)
    page = client.get(ticket.get_absolute_url()).content.decode()
    inbound = InboundEmail.objects.get()
    raw_url = reverse("tickets:inbound_raw", args=[ticket.pk, inbound.pk])
    assert raw_url in page
    response = client.get(raw_url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"x" * 50_000 in b"".join(response.streaming_content).replace(b"=\n", b"")


def test_triage_opens_a_ticket_for_the_chosen_company_or_discards(
    maildir, customer, client_as, make_user
):
    maildir.add(
        email(
            "Una <una@unknown.example>",
            "Who am I?",
            files=[("photo.pdf", PDF, "application", "pdf")],
        )
    )
    maildir.add(email("spam@unknown.example", "Cheap pills"))
    poll_current_tenant()
    client = client_as(StaffRole.STAFF)
    page = client.get(reverse("tickets:triage")).content.decode()
    assert "Who am I?" in page and "Cheap pills" in page
    una, spam = (InboundEmail.objects.get(subject=s) for s in ("Who am I?", "Cheap pills"))
    response = client.post(
        reverse("tickets:triage_action", args=[una.pk, "open"]),
        {f"email-{una.pk}-customer": customer.pk},
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == ticket.get_absolute_url()
    assert (ticket.customer, ticket.requester_email) == (customer, "una@unknown.example")
    assert ticket.attachments.get().original_name == "photo.pdf"
    assert ticket.history.first().history_user == client.user
    client.post(reverse("tickets:triage_action", args=[spam.pk, "discard"]))
    spam.refresh_from_db()
    assert (spam.outcome, spam.handled_by) == ("discarded", client.user)
    assert "Nothing waits in triage" in client.get(reverse("tickets:triage")).content.decode()
    # Handled already: a second decision changes nothing.
    client.post(reverse("tickets:triage_action", args=[una.pk, "discard"]))
    una.refresh_from_db()
    assert una.outcome == "ticket"


def test_triage_is_for_staff_who_see_every_customer(client_as, in_tenant):
    assert client_as(StaffRole.VIEWER).get(reverse("tickets:triage")).status_code == 403


def test_a_message_that_is_not_read_stays_in_the_folder_until_polled(maildir, requester):
    key = maildir.add(email("rita@acme.example", "Waiting"))
    assert Path(maildir._path, "new", key).exists()
    receive(maildir.get_bytes(key))  # read by another path first: the poll then skips it
    poll_current_tenant()
    assert Ticket.objects.count() == 1 and list(maildir.keys()) == []


def polled_queries(maildir, messages: list[bytes]) -> int:
    for raw in messages:
        maildir.add(raw)
    with CaptureQueriesContext(connection) as queries:
        assert poll_current_tenant().read == len(messages)
    return len(queries)


def test_the_poller_costs_the_same_queries_per_message_however_many_wait(
    maildir, customer, requester, staff
):
    """Who works tickets, the companies' SLA policies and the webhook endpoints are read once
    per poll, and the senders (their users, contacts' companies, whether a message came
    before) once per batch of messages; each message costs a constant number of queries
    whoever sends it."""
    Contact.objects.create(customer=customer, name="Carl", email="carl@acme.example")
    senders = ["carl@acme.example", "rita@acme.example", "stranger@nowhere.example"]
    one = polled_queries(maildir, [email(s, f"One {s}") for s in senders])
    four = polled_queries(maildir, [email(s, f"{n} {s}") for n in range(4) for s in senders])
    per_round, rest = divmod(four - one, 3)
    assert rest == 0  # every further round of the same three senders costs the same
    assert per_round <= 6 * len(senders)  # was 12 a message before the senders' batch
    assert one - per_round <= 12  # read once a poll or a batch
    assert Ticket.objects.count() == 2 * 5  # the user's and the contact's; the stranger's: triage
