"""Email in: one raw message becomes a reply on its ticket, a new ticket of the sender's
company, or an entry in triage, and is kept (``InboundEmail``) with what became of it.

- A reply: the subject carries ``[T-<number> #<token>]`` (tickets.emails.subject_tag) and the
  token is the ticket's own. A reply to a closed (or merged-away) ticket opens a new ticket
  for the same company that points back at it: nothing is lost, nothing reopens silently.
- A new ticket: the sender is a user of a company, one of its contacts, or writes from a
  domain the company verified (``register_sender_resolver``: the portal knows users and
  domains, customers knows contacts). Exactly one company must match.
- Triage: anything else (unknown or ambiguous sender). Staff open a ticket from it or
  discard it (tickets/views_triage.py).
- Ignored: automatic replies and bulk mail (``Auto-Submitted``, ``Precedence``), so two
  autoresponders cannot mail each other forever.

Bodies are read as text (an HTML-only message is reduced to its text; nothing of it is ever
rendered as HTML), quoted history below a reply is cut, and an over-long body is shortened
with a note: the raw message stays downloadable. Attachments pass the same checks as
uploads; a refused one is named in the ticket's internal note."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parseaddr

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from activity.markdown import render_plain
from core.memo import memoized, remember
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for
from customers.models import Customer
from customers.models_contacts import Contact
from documents.storage import discard, documents_storage, new_key, store_upload

from . import services
from .models import (
    BODY_MAX,
    SUBJECT_MAX,
    InboundEmail,
    InboundOutcome,
    Message,
    MessageSource,
    Ticket,
    TicketStatus,
)

logger = logging.getLogger(__name__)

TAG = re.compile(r"\[T-(\d{1,12}) #([0-9a-f]{12})\]")
PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
QUOTE_START = re.compile(
    r"^(On .{0,200}wrote:|-{2,}\s*Original Message\s*-{2,}|From: .+|_{10,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
TRUNCATED = "\n\n[The message was longer; the original email is kept with the ticket.]"

# (email address) → the ids of the companies it belongs to, from one app's records. The
# strongest evidence decides: a user's company (0), else a contact's (1), else a verified
# domain's (2); several companies at that level go to triage.
SenderResolver = Callable[[str], set[int]]
_sender_resolvers: list[tuple[int, SenderResolver]] = []
USER, CONTACT, DOMAIN = 0, 1, 2


def register_sender_resolver(resolver: SenderResolver, *, strength: int) -> None:
    if all(existing is not resolver for _, existing in _sender_resolvers):
        _sender_resolvers.append((strength, resolver))
        _sender_resolvers.sort(key=lambda pair: pair[0])


def contact_companies(address: str) -> set[int]:
    """Customers whose (live) contact has this address (a poll's senders: one query for all,
    ``prefetch_senders``)."""
    return set(
        memoized(
            ("contact-companies", address),
            lambda: set(_live_contacts([address]).values_list("customer_id", flat=True)),
        )
    )


def _live_contacts(addresses: list[str]):
    return Contact.objects.annotate(address=Lower("email")).filter(
        address__in=addresses, customer__deleted_at__isnull=True
    )


register_sender_resolver(contact_companies, strength=CONTACT)


@dataclass
class Parsed:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    body: str
    automatic: bool
    files: list = field(default_factory=list)  # (name, bytes)


def _header(message: EmailMessage, name: str) -> str:
    """A header as text; a malformed one is read as its raw bytes would be, never raised."""
    try:
        value = message.get(name)
    except Exception:  # any defect in a header: read it raw below
        value = None
        for key, raw in message.raw_items():
            if key.lower() == name.lower():
                value = raw
                break
    return " ".join(str(value or "").split())


def _text_of(part) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        # Text only: tags go, scripts and styles with their content, entities are decoded.
        content = html.unescape(nh3.clean(content, tags=set()))
    return content.replace("\x00", "").replace("\r\n", "\n")


def _sender_of(message: EmailMessage) -> tuple[str, str]:
    """(name, address) of who sent it: From, else the first Reply-To."""
    name, sender = parseaddr(_header(message, "From"))
    if not sender:
        addresses = getaddresses([_header(message, "Reply-To")])
        name, sender = addresses[0] if addresses else ("", "")
    return name, sender


def _message_id_of(message: EmailMessage, raw: bytes) -> str:
    return _header(message, "Message-ID")[:300] or ("sha256:" + hashlib.sha256(raw).hexdigest())


def prefetch_senders(raws: list[bytes]) -> None:
    """For a batch of messages about to be received in one ``memo_scope``: which of them
    were received before, and their senders' active users and contacts' companies, in one
    query each instead of one each per message. Reads the headers only."""
    parser = BytesHeaderParser(policy=policy.default)
    ids, addresses = set(), set()
    for raw in raws:
        message = parser.parsebytes(raw)
        ids.add(_message_id_of(message, raw))
        address = _sender_of(message)[1].strip().lower()[:254]
        if "@" in address:
            addresses.add(address)
    seen = set(InboundEmail.objects.filter(mail_id__in=ids).values_list("mail_id", flat=True))
    for mail_id in ids:
        remember(("inbound-seen", mail_id), mail_id in seen)
    if not addresses:
        return
    users: dict[str, User] = {}
    found = User.objects.annotate(address=Lower("email")).filter(
        address__in=addresses, is_active=True
    )
    for user in found.order_by("pk"):
        users.setdefault(user.address, user)
    companies: dict[str, set[int]] = {address: set() for address in addresses}
    for address, customer_id in _live_contacts(list(addresses)).values_list(
        "address", "customer_id"
    ):
        companies[address].add(customer_id)
    for address in addresses:
        remember(("sender-user", address), users.get(address))
        remember(("contact-companies", address), companies[address])


def parse(raw: bytes) -> Parsed:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    name, sender = _sender_of(message)
    message_id = _message_id_of(message, raw)
    auto = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    automatic = (auto not in ("", "no")) or precedence in ("bulk", "junk", "list", "auto_reply")
    body = ""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # a malformed structure: no body rather than no ticket
        part = None
    if part is not None:
        body = _text_of(part)
    files = []
    try:
        attachments = list(message.iter_attachments())
    except Exception:  # a malformed part: skipped, never the whole message
        attachments = []
    for attachment in attachments:
        try:
            data = attachment.get_payload(decode=True) or b""
        except Exception:  # a malformed part: skipped, never the whole message
            continue
        files.append((attachment.get_filename() or "attachment", data))
    return Parsed(
        message_id=message_id,
        sender=sender.strip().lower()[:254],
        sender_name=name.strip()[:200],
        subject=_header(message, "Subject")[:300],
        body=body.strip(),
        automatic=automatic,
        files=files,
    )


def without_quote(body: str) -> str:
    """The new text of a reply: what comes before the quoted history (and no ">" lines)."""
    match = QUOTE_START.search(body)
    if match and match.start() > 0:
        body = body[: match.start()]
    lines = [line for line in body.splitlines() if not line.startswith(">")]
    return "\n".join(lines).strip()


def _fit(body: str) -> str:
    body = body or "(The email had no text.)"
    if len(body) > BODY_MAX:
        return body[: BODY_MAX - len(TRUNCATED)] + TRUNCATED
    return body


# --- What one message becomes -----------------------------------------------------------


def receive(raw: bytes) -> InboundEmail:
    """Read one raw message and do what it asks; the same message twice is done once."""
    parsed = parse(raw)
    seen = memoized(
        ("inbound-seen", parsed.message_id),
        lambda: InboundEmail.objects.filter(mail_id=parsed.message_id).exists(),
    )
    if seen:
        return InboundEmail.objects.get(mail_id=parsed.message_id)
    key = documents_storage().save(new_key("tickets-inbound"), ContentFile(raw))
    stored: list = []
    try:
        with transaction.atomic():
            inbound = InboundEmail(
                mail_id=parsed.message_id,
                sender=parsed.sender,
                sender_name=parsed.sender_name,
                subject=parsed.subject,
                body=parsed.body[:200_000],
                size=len(raw),
            )
            inbound.raw.name = key
            _route(inbound, parsed, stored)
            inbound.save()
    except IntegrityError:
        # Another poller stored the same Message-ID first.
        discard(key)
        for stored_key, _ in stored:
            discard(stored_key)
        return InboundEmail.objects.get(mail_id=parsed.message_id)
    except BaseException:
        discard(key)
        for stored_key, _ in stored:
            discard(stored_key)
        raise
    return inbound


def _route(inbound: InboundEmail, parsed: Parsed, stored: list) -> None:
    if parsed.automatic:
        inbound.outcome, inbound.note = InboundOutcome.IGNORED, "An automatic reply or bulk mail."
        return
    refused = _store_files(parsed, stored)
    match = TAG.search(parsed.subject)
    if match:
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .filter(pk=int(match.group(1)), reply_token=match.group(2))
            .select_related("customer")
            .first()
        )
        if ticket is not None:
            _reply(inbound, parsed, ticket, stored, refused)
            return
    user = _user_for(parsed.sender)
    companies = _companies_of(parsed.sender, has_user=user is not None)
    if len(companies) == 1:
        pk = companies.pop()
        customer = memoized(  # read once a poll: the same company writes many messages
            ("live-customer", pk),
            lambda: Customer.objects.filter(pk=pk, deleted_at__isnull=True).first(),
        )
        if customer is not None:
            _new_ticket(inbound, parsed, customer, stored, refused, user=user)
            return
    for key, _ in stored:
        discard(key)
    stored.clear()
    inbound.outcome = InboundOutcome.TRIAGE
    inbound.note = (
        "The sender belongs to several companies."
        if len(companies) > 1
        else "The sender is not a user or contact of any company, nor of a verified domain."
    )


def _companies_of(address: str, *, has_user: bool) -> set[int]:
    """The companies the strongest evidence names (a user's company only when an active user
    has the address: ``has_user``, known from the caller's lookup, saves that query)."""
    if not address or "@" not in address:
        return set()
    for strength, resolver in _sender_resolvers:
        if strength == USER and not has_user:
            continue
        found = resolver(address)
        if found:
            return found
    return set()


def _store_files(parsed: Parsed, stored: list) -> list[str]:
    """Store the attachments that pass the upload checks; the refused ones' names and why."""
    refused = []
    for index, (name, data) in enumerate(parsed.files):
        if len(stored) >= services.MAX_FILES:
            refused.append(f"{name}: more than {services.MAX_FILES} files")
            continue
        try:
            stored.append(store_upload(SimpleUploadedFile(name, data), folder="tickets"))
        except ValidationError as error:
            reason = " ".join(error.message_dict.get("file", error.messages))
            refused.append(f"{name or f'file {index + 1}'}: {reason}")
    return refused


def _user_for(address: str) -> User | None:
    if not address:
        return None
    return memoized(
        ("sender-user", address),
        lambda: User.objects.filter(email__iexact=address, is_active=True).first(),
    )


def _new_ticket(
    inbound,
    parsed: Parsed,
    customer: Customer,
    stored: list,
    refused,
    *,
    user: User | None,
    actor=None,
    reason="",
) -> None:
    """``user``: the active user with the sender's address, if any (``_user_for``)."""
    if user is not None and (user.role or customer.pk not in (scope_for(user).company_ids or ())):
        user = None  # staff, or a user of another company: the address is the requester
    subject = PREFIX.sub("", parsed.subject).strip()[:SUBJECT_MAX] or "(no subject)"
    body = _fit(parsed.body)
    ticket = Ticket(
        customer=customer,
        subject=subject,
        description=body,
        description_html=render_plain(body),
        requester=user,
        requester_email="" if user else parsed.sender,
        opened_by=user,
    )
    services.ticket_create(
        ticket,
        stored=stored,
        actor=actor or user,
        reason=reason or f"Opened by email from {parsed.sender}",
        tell_staff=actor is None,
    )
    _note_refused(ticket, refused)
    inbound.outcome, inbound.ticket = InboundOutcome.TICKET, ticket


def _reply(inbound, parsed: Parsed, ticket: Ticket, stored: list, refused) -> None:
    user = _user_for(parsed.sender)
    if ticket.status == TicketStatus.CLOSED or ticket.merged_into_id:
        follow_up = dataclasses.replace(
            parsed,
            subject=f"Follow-up to {ticket.reference}: {ticket.subject}",
            body=f"(A reply to {ticket.reference}, which is closed.)\n\n{without_quote(parsed.body)}",
        )
        _new_ticket(inbound, follow_up, ticket.customer, stored, refused, user=user)
        inbound.note = f"{ticket.reference} is closed: a new ticket was opened."
        return
    body = _fit(without_quote(parsed.body))
    if user is not None and user.role:
        message = Message.objects.create(
            ticket=ticket,
            author=user,
            body=body,
            body_html=render_plain(body),
            source=MessageSource.EMAIL,
            from_staff=True,
            is_internal=True,
        )
        services.attach_stored(ticket, message, stored, user)
        inbound.note = "A reply from a member of your team: kept as an internal note."
    else:
        message = services.customer_reply(
            ticket,
            author=user,
            author_email=parsed.sender,
            body=body,
            stored=stored,
            source=MessageSource.EMAIL,
        )
    _note_refused(ticket, refused)
    inbound.outcome, inbound.ticket, inbound.message = InboundOutcome.REPLY, ticket, message


def _note_refused(ticket: Ticket, refused: list[str]) -> None:
    if not refused:
        return
    body = "Attachments of the email that were not kept:\n\n" + "\n".join(f"- {r}" for r in refused)
    Message.objects.create(
        ticket=ticket,
        body=body,
        body_html=render_plain(body),
        is_internal=True,
        source=MessageSource.EMAIL,
    )


# --- Triage -----------------------------------------------------------------------------


def _in_triage(actor: User, inbound_id) -> InboundEmail:
    scope = scope_for(actor)
    if not (scope.is_staff and scope.can(Capability.EDIT_RECORDS)) or scope.is_limited:
        raise PermissionDenied("Triage is for staff who see every customer.")
    inbound = access(InboundEmail.objects.select_for_update(), scope, inbound_id, "change")
    if inbound.outcome != InboundOutcome.TRIAGE:
        raise ValidationError("This email was handled already.")
    return inbound


def triage_open_ticket(*, actor: User, inbound_id, customer_id) -> Ticket:
    """Staff decide whose an email in triage is: it becomes that company's ticket, with its
    attachments, its sender as the requester."""
    stored: list = []
    try:
        with transaction.atomic():
            inbound = _in_triage(actor, inbound_id)
            try:
                customer = access(Customer.objects.all(), scope_for(actor), customer_id)
            except Http404:
                raise ValidationError({"customer": "Choose a company from the list."}) from None
            if customer.deleted_at is not None:
                raise ValidationError({"customer": "Choose a company from the list."})
            with inbound.raw.open("rb") as handle:
                parsed = parse(handle.read())
            refused = _store_files(parsed, stored)
            _new_ticket(
                inbound,
                parsed,
                customer,
                stored,
                refused,
                user=_user_for(parsed.sender),
                actor=actor,
                reason=f"Opened from triage: email from {parsed.sender}",
            )
            ticket = inbound.ticket
            inbound.handled_by, inbound.handled_at = actor, timezone.now()
            inbound.note = f"Opened as {ticket.reference} for {customer}."
            inbound.save()
    except BaseException:
        for key, _ in stored:
            discard(key)
        raise
    return ticket


def triage_discard(*, actor: User, inbound_id) -> InboundEmail:
    """Staff drop an email from triage (spam, not for support); it stays on record."""
    with transaction.atomic():
        inbound = _in_triage(actor, inbound_id)
        inbound.outcome = InboundOutcome.DISCARDED
        inbound.handled_by, inbound.handled_at = actor, timezone.now()
        inbound.note = f"Discarded by {actor}."
        inbound.save()
    return inbound
