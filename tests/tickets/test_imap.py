"""Support mail from an IMAP mailbox, against a real server (Dovecot on loopback): the
owner's settings, the worker's poll turning unread messages into tickets and replies and
deleting them, a message that fails left flagged, wrong credentials said in words, and the
same safety as webhooks for where the worker may connect."""

from __future__ import annotations

import imaplib
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from accounts.models import StaffRole
from tenants.models import Tenant
from tests.factories import UserFactory
from tickets import imap
from tickets.emails import subject_tag
from tickets.mailbox import poll_ticket_mail
from tickets.models import InboundEmail, Message, Ticket

from .imap_server import PASSWORD, ImapServer
from .test_mail_in import email

pytestmark = pytest.mark.django_db
ACCOUNT = "support@alpha.example"


@pytest.fixture(scope="module")
def server():
    running = ImapServer()
    yield running
    running.stop()


@pytest.fixture
def mailbox_client(server):
    client = imaplib.IMAP4("127.0.0.1", server.port)
    client.login(ACCOUNT, PASSWORD)
    client.select("INBOX")
    yield client
    client.uid("STORE", "1:*", "+FLAGS", "(\\Deleted)")
    client.expunge()
    client.logout()


def deliver(client, raw: bytes) -> None:
    status, _ = client.append("INBOX", None, imaplib.Time2Internaldate(time.time()), raw)
    assert status == "OK"


@pytest.fixture
def owner(in_tenant, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    return UserFactory(role=StaffRole.OWNER)


def configure(owner, server, **overrides):
    data = {
        "imap_enabled": True,
        "imap_host": "127.0.0.1",
        "imap_port": server.port,
        "imap_security": "none",
        "imap_username": ACCOUNT,
        "imap_folder": "INBOX",
        **overrides,
    }
    return imap.mail_in_save(actor=owner, data=data, password=PASSWORD)


def test_the_worker_reads_the_mailbox_into_tickets_and_replies_and_empties_it(
    owner, server, mailbox_client, customer, requester, ticket, django_capture_on_commit_callbacks
):
    configure(owner, server)
    assert Tenant.objects.get(schema_name=connection.schema_name).reads_imap
    deliver(mailbox_client, email("rita@acme.example", "Printer again", "Jammed."))
    deliver(
        mailbox_client,
        email("rita@acme.example", f"Re: Printer on fire {subject_tag(ticket)}", "Still hot."),
    )
    assert imap.mail_in_test(actor=owner) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_ticket_mail(timestamp=0) >= 2
    opened = Ticket.objects.get(subject="Printer again")
    assert opened.customer == customer and opened.requester == requester
    assert Message.objects.filter(ticket=ticket, body__contains="Still hot.").exists()
    mailbox_client.noop()  # this session learns of the other's expunge
    status, data = mailbox_client.uid("SEARCH", None, "ALL")
    assert data[0] == b""  # read messages are deleted
    row = imap.mail_in_settings()
    assert (row.last_read, row.last_error) == (2, "")
    assert poll_ticket_mail(timestamp=0) == 0 and InboundEmail.objects.count() == 2


def test_a_message_that_cannot_be_handled_is_flagged_not_retried(
    owner, server, mailbox_client, monkeypatch
):
    configure(owner, server)
    deliver(mailbox_client, email("someone@nowhere.example", "Breaks the reader"))

    def broken(raw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imap, "receive", broken)
    result = imap.poll_current_tenant_imap()
    assert (result.read, result.failed) == (0, 1)
    assert imap.poll_current_tenant_imap().failed == 0  # not read again
    mailbox_client.noop()
    status, data = mailbox_client.uid("SEARCH", None, "KEYWORD", imap.FAILED_FLAG)
    assert len(data[0].split()) == 1


def test_wrong_credentials_are_said_and_recorded(owner, server):
    configure(owner, server)
    imap.mail_in_save(
        actor=owner,
        data={"imap_username": ACCOUNT, "imap_enabled": True},
        password="wrong",
    )
    with pytest.raises(imap.ImapProblem, match="The server said"):
        imap.mail_in_test(actor=owner)
    assert imap.poll_current_tenant_imap() is None
    assert "The server said" in imap.mail_in_settings().last_error


def test_internal_servers_are_refused_unless_allowed_and_only_owners_configure(
    in_tenant, server, settings
):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    owner = UserFactory(role=StaffRole.OWNER)
    with pytest.raises(ValidationError) as refused:
        configure(owner, server)
    assert "loopback" in str(refused.value.message_dict["imap_host"])
    assert not imap.mail_in_settings().imap_enabled
    with pytest.raises(PermissionDenied):
        configure(UserFactory(role=StaffRole.ADMIN), server)


def settings_form(server) -> dict:
    """The mail-in settings page's fields for the test server, without the password."""
    return {
        "imap_enabled": "on",
        "imap_host": "127.0.0.1",
        "imap_port": server.port,
        "imap_security": "none",
        "imap_username": ACCOUNT,
        "imap_folder": "INBOX",
    }


def test_the_settings_page_keeps_the_password_secret(client_as, server, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    client = client_as(StaffRole.OWNER)
    url = reverse("tickets:mail_in")
    form = {**settings_form(server), "password": PASSWORD}
    assert client.post(url, form).status_code == 302
    page = client.get(url).content.decode()
    assert PASSWORD not in page and ACCOUNT in page
    tested = client.post(reverse("tickets:mail_in_test"), follow=True).content.decode()
    assert "Signed in: 0 unread messages wait." in tested
    assert client_as(StaffRole.ADMIN).get(url).status_code == 403


def test_the_form_asks_for_a_password_until_one_is_stored_and_says_what_to_fix(
    client_as, server, settings
):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    client = client_as(StaffRole.OWNER)
    url = reverse("tickets:mail_in")
    page = client.get(url).content.decode()
    assert "needed to turn reading on" in page and "keep the stored one" not in page
    assert page.index('name="imap_username"') < page.index('name="password"')
    assert page.index('name="password"') < page.index('name="imap_folder"')
    form = settings_form(server)
    refused = client.post(url, form)
    assert refused.status_code == 400 and "Give the password." in refused.content.decode()
    assert client.post(url, {**form, "password": PASSWORD}).status_code == 302
    assert "keep the stored one" in client.get(url).content.decode()
