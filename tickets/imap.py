"""Support mail from an IMAP mailbox (the tenant's mail-in settings): the worker signs in
every minute, reads the unseen messages of the folder, hands each to ``inbound.receive`` and
deletes it once its rows are committed; a message that cannot be handled is marked seen and
flagged ``$ClienteleFailed`` (left in the mailbox for a person, never retried in a loop).

The server is reached like a webhook (core.outbound): its name is resolved once and the
connection goes to that address only if it is public or allowed for the tenant, so a
tenant cannot point the worker at the platform's internal services. TLS is verified
against the server's name."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import socket
import ssl
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from core import outbound
from core.memo import memo_scope
from core.policies import Capability
from core.scope import scope_for
from core.services import save_with_history
from tenants.models import Tenant

from .inbound import receive
from .models_mail import ImapSecurity, MailInSettings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
BATCH = 200  # messages per poll: the rest wait for the next minute
FAILED_FLAG = "$ClienteleFailed"
FIELDS = (
    "imap_enabled",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_folder",
)


class ImapProblem(Exception):
    """What went wrong, in words for the settings page and the worker's log."""


@dataclass
class ImapResult:
    read: int = 0
    failed: int = 0
    waiting: int = 0


def mail_in_settings() -> MailInSettings:
    return MailInSettings.objects.get_or_create(pk=1)[0]


def _pinned(host: str, port: int) -> tuple[int, tuple]:
    target = outbound.Target("imap", host.lower().rstrip("."), port, "", _is_ip(host))
    try:
        family, sockaddr, _ip = outbound.choose_address(
            target,
            outbound.current_allow_list(),
            deadline=time.monotonic() + TIMEOUT_SECONDS,
            timeout=TIMEOUT_SECONDS,
        )
    except outbound.OutboundRefused as refusal:
        raise ImapProblem(f"Refused: {refusal.reason}.") from None
    except outbound.OutboundError as error:
        raise ImapProblem(f"Could not reach the server: {error.reason}.") from None
    return family, sockaddr


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _PinnedIMAP4(imaplib.IMAP4):
    """IMAP4 to the address that was checked (``host`` names the server for TLS)."""

    def __init__(self, host, port, address, timeout):
        self._address = address
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout):
        family, sockaddr = self._address
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(sockaddr)
        return sock


class _PinnedIMAP4_SSL(imaplib.IMAP4_SSL):
    def __init__(self, host, port, address, timeout):
        self._address = address
        super().__init__(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)

    def _create_socket(self, timeout):
        family, sockaddr = self._address
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(sockaddr)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def open_mailbox(row: MailInSettings) -> imaplib.IMAP4:
    """Signed in, with the folder selected (read-write)."""
    if not (row.imap_host and row.imap_username):
        raise ImapProblem("Give the server and the user name.")
    address = _pinned(row.imap_host, row.imap_port)
    try:
        if row.imap_security == ImapSecurity.SSL:
            client = _PinnedIMAP4_SSL(row.imap_host, row.imap_port, address, TIMEOUT_SECONDS)
        else:
            client = _PinnedIMAP4(row.imap_host, row.imap_port, address, TIMEOUT_SECONDS)
            if row.imap_security == ImapSecurity.STARTTLS:
                client.starttls(ssl_context=ssl.create_default_context())
        client.login(row.imap_username, row.imap_password)
        status, data = client.select(_quoted(row.imap_folder))
    except imaplib.IMAP4.error as error:
        raise ImapProblem(f"The server said: {_said(error)}") from None
    except (OSError, ssl.SSLError) as error:
        raise ImapProblem(f"Could not talk to the server: {error}") from None
    if status != "OK":
        client.logout()
        raise ImapProblem(f"No folder “{row.imap_folder}”: {_said(data)}")
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _said(what) -> str:
    if isinstance(what, list | tuple):
        what = b" ".join(x for x in what if isinstance(x, bytes)) or str(what)
    if isinstance(what, bytes):
        what = what.decode(errors="replace")
    return str(what)[:300]


def poll_imap(row: MailInSettings, *, limit: int = BATCH) -> ImapResult:
    """Read the folder's unseen messages (at most ``limit``) in the current tenant."""
    result = ImapResult()
    client = open_mailbox(row)
    try:
        status, data = client.uid("SEARCH", None, "UNSEEN", "UNKEYWORD", FAILED_FLAG)
        if status != "OK":
            raise ImapProblem(f"Could not list the messages: {_said(data)}")
        uids = (data[0] or b"").split()
        result.waiting = max(0, len(uids) - limit)
        with memo_scope():  # who works tickets, SLA policies: read once per poll
            for uid in uids[:limit]:
                status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts or [] if isinstance(p, tuple)), None)
                if status != "OK" or raw is None:
                    continue  # gone meanwhile (another reader)
                try:
                    receive(raw)
                except Exception:
                    logger.exception("Could not handle IMAP message %s", uid)
                    client.uid("STORE", uid, "+FLAGS", f"(\\Seen {FAILED_FLAG})")
                    result.failed += 1
                else:
                    client.uid("STORE", uid, "+FLAGS", "(\\Deleted \\Seen)")
                    result.read += 1
        client.expunge()
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return result


def poll_current_tenant_imap() -> ImapResult | None:
    """The worker's minute for this tenant: read, and remember how it went."""
    row = MailInSettings.objects.filter(pk=1, imap_enabled=True).first()
    if row is None:
        return None
    try:
        result = poll_imap(row)
    except ImapProblem as problem:
        MailInSettings.objects.filter(pk=1).update(
            last_polled_at=timezone.now(), last_error=str(problem)[:500]
        )
        logger.warning("IMAP mail-in failed in %s: %s", connection.schema_name, problem)
        return None
    MailInSettings.objects.filter(pk=1).update(
        last_polled_at=timezone.now(), last_read=result.read, last_error=""
    )
    return result


# --- The settings' writes ------------------------------------------------------------------


def _check_owner(actor: User) -> None:
    if not scope_for(actor).can(Capability.MANAGE_TENANT):
        raise PermissionDenied("Only the workspace's owner changes where support mail comes from.")


def mail_in_save(*, actor: User, data: dict, password: str = "") -> MailInSettings:
    """Save the IMAP settings (an empty ``password`` keeps the stored one); refused when the
    server is not one the worker may reach. The tenant's flag for the poller follows."""
    _check_owner(actor)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Not a mail-in setting."))
    with transaction.atomic():
        row = MailInSettings.objects.select_for_update().get_or_create(pk=1)[0]
        for name, value in data.items():
            setattr(row, name, value)
        row.imap_host = (row.imap_host or "").strip().lower()
        if password:
            row.imap_password = password
        if row.imap_enabled:
            errors = {}
            if not row.imap_host:
                errors["imap_host"] = "Give the server's name."
            if not row.imap_username:
                errors["imap_username"] = "Give the user name."
            if not row.imap_password:
                errors["password"] = "Give the password."
            if errors:
                raise ValidationError(errors)
            try:
                _pinned(row.imap_host, row.imap_port)
            except ImapProblem as problem:
                if str(problem).startswith("Refused"):
                    raise ValidationError({"imap_host": str(problem)}) from None
        save_with_history(row, actor=actor, reason="Mail-in settings changed")
        Tenant.objects.filter(schema_name=connection.schema_name).update(
            reads_imap=row.imap_enabled
        )
    return row


def mail_in_test(*, actor: User) -> int:
    """Sign in with the saved settings and count the messages waiting (ImapProblem says
    what went wrong)."""
    _check_owner(actor)
    row = mail_in_settings()
    client = open_mailbox(row)
    try:
        status, data = client.uid("SEARCH", None, "UNSEEN", "UNKEYWORD", FAILED_FLAG)
        return len((data[0] or b"").split()) if status == "OK" else 0
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
