"""Every write to the service desk: open a ticket (a company's user in the portal, or staff on
its behalf), reply in public or add an internal note, change its status, assign it or change
its priority and category, and merge a duplicate into the ticket it repeats.

Each starts from the actor's scope (``access``: the ticket or company within reach, else the
same 404 whether it is missing or another company's), validates before it writes (a
ValidationError and nothing written on bad input), locks the ticket, records history with
the actor and a reason, and tells people only after commit: the requester by email (replies
and status changes), staff in their notification list (a new ticket, a customer's reply, an
assignment). Files are stored before the rows and removed again if the rows are not
written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import CustomerAccess, User
from activity.markdown import render_plain, staff_users
from assets.models import Asset
from core.memo import memoized
from core.notifications import NotificationKind, notify, staff_with
from core.policies import Capability
from core.querysets import access
from core.scope import Scope, scope_for
from core.services import save_with_history
from core.tasks import defer_after_commit
from customers.models import Customer
from documents.storage import discard, store_upload
from locations.models import Location

from . import sla
from .models import (
    BODY_MAX,
    SUBJECT_MAX,
    Attachment,
    Message,
    MessageSource,
    Ticket,
    TicketCategory,
    TicketPriority,
    TicketStatus,
)
from .models_sla import policy_for

MAX_FILES = 5
CLOCK_STOPPED = (TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED)
OPEN_TICKETS = "open_tickets"


# --- Who may do what --------------------------------------------------------------------


def _check_may_write(scope: Scope) -> None:
    if scope.is_staff:
        if not scope.can(Capability.EDIT_RECORDS):
            raise PermissionDenied("Your role cannot work tickets.")
    elif not (scope.is_customer_user and scope.portal_can(OPEN_TICKETS)):
        raise PermissionDenied("Your role cannot open or answer tickets.")


def _check_staff(scope: Scope) -> None:
    if not (scope.is_staff and scope.can(Capability.EDIT_RECORDS)):
        raise PermissionDenied("Only your provider's team can do this.")


def _ticket_for(actor: User, ticket_id, action: str = "change") -> Ticket:
    """The ticket within the actor's reach for ``action``, locked (its own row only)."""
    return access(
        Ticket.objects.select_for_update(of=("self",)), scope_for(actor), ticket_id, action
    )


def _company_for(scope: Scope, customer_id) -> Customer:
    customer = access(Customer.objects.all(), scope, customer_id)
    if customer.deleted_at is not None:
        raise Http404("No such record.")
    return customer


# --- Input ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value or "").replace("\x00", "").strip()


def _body(value: Any, field: str, what: str) -> str:
    body = _text(value)
    if not body:
        raise ValidationError({field: f"Write {what}."})
    if len(body) > BODY_MAX:
        raise ValidationError(
            {field: f"Keep {what} under {BODY_MAX:,} characters (it has {len(body):,})."}
        )
    return body


def _choice(value: Any, choices, field: str, default: str) -> str:
    value = _text(value) or default
    if value not in choices.values:
        raise ValidationError({field: f"Choose one of: {', '.join(choices.labels)}."})
    return value


def _files(files: Iterable | None) -> list:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ValidationError({"files": f"Attach at most {MAX_FILES} files at once."})
    return files


def _belongs_to(record, customer: Customer) -> bool:
    if isinstance(record, Location):
        return record.customer_id == customer.pk
    return customer.pk in (
        record.owner_id,
        record.location.customer_id if record.location_id else None,
    )


def _record_of(scope: Scope, model, value, customer: Customer, field: str):
    if value in (None, ""):
        return None
    try:
        record = access(model.objects.all(), scope, getattr(value, "pk", value))
    except Http404:
        record = None
    if record is None or not _belongs_to(record, customer):
        raise ValidationError(
            {field: f"Choose one of {customer}'s {model._meta.verbose_name_plural}."}
        )
    return record


def _requester_for(scope: Scope, actor: User, email, customer: Customer) -> tuple[User | None, str]:
    """A company's user opening a ticket is its requester. Staff may name the requester by
    email: one of the company's portal users with that address becomes the requester (they
    see it in the portal), any other address is emailed without a portal link."""
    if scope.is_customer_user:
        return actor, ""
    email = _text(email).lower()
    if not email:
        return None, ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"requester_email": "Enter a valid email address."}) from None
    user = User.objects.filter(email__iexact=email, is_active=True, role="").first()
    if user is not None and customer.pk in (scope_for(user).company_ids or ()):
        return user, ""
    return None, email


def _staff_assignee(value, customer: Customer) -> User | None:
    if value in (None, ""):
        return None
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        pk = None
    assignee = staff_users().filter(pk=pk).first() if pk else None
    if assignee is None:
        raise ValidationError({"assignee": "The assignee must be an active member of your team."})
    if not scope_for(assignee).reaches_customer(customer.pk):
        raise ValidationError({"assignee": f"{assignee} cannot see {customer}."})
    return assignee


# --- Writes -----------------------------------------------------------------------------


def attach_stored(
    ticket: Ticket, message: Message | None, stored: list, actor: User | None
) -> None:
    """Attachment rows for files ``store_upload`` stored (inside the caller's transaction)."""
    for key, inspected in stored:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            original_name=inspected.name,
            content_type=inspected.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            uploaded_by=actor,
        )
        attachment.file.name = key
        attachment.save()


def _with_files(files: Sequence, write):
    """Store the files (each checked), then ``write(stored)`` in one transaction; the bytes
    are removed again if the rows are not written."""
    stored: list = []
    try:
        for index, upload in enumerate(files):
            try:
                stored.append(store_upload(upload, folder="tickets"))
            except ValidationError as refused:
                name = getattr(upload, "name", f"file {index + 1}")
                messages = refused.message_dict.get("file", refused.messages)
                raise ValidationError({"files": [f"{name}: {m}" for m in messages]}) from None
        with transaction.atomic():
            return write(stored)
    except BaseException:
        for key, _inspected in stored:
            discard(key)
        raise


def ticket_open(
    *,
    actor: User,
    customer_id,
    subject: str,
    description: str,
    category: str = "",
    priority: str = "",
    asset_id=None,
    location_id=None,
    requester_email: str = "",
    files: Iterable | None = None,
) -> Ticket:
    """A new ticket for the company ``customer_id``: by one of its users (the requester) in
    the portal, or by staff on its behalf (``requester_email``: who asked)."""
    scope = scope_for(actor)
    _check_may_write(scope)
    customer = _company_for(scope, customer_id)
    subject = _text(subject)
    if not subject:
        raise ValidationError({"subject": "Give the ticket a subject."})
    if len(subject) > SUBJECT_MAX:
        raise ValidationError({"subject": f"Keep the subject under {SUBJECT_MAX} characters."})
    description = _body(description, "description", "what the ticket is about")
    requester, requester_email = _requester_for(scope, actor, requester_email, customer)
    ticket = Ticket(
        customer=customer,
        subject=subject,
        description=description,
        description_html=render_plain(description),
        category=_choice(category, TicketCategory, "category", TicketCategory.QUESTION),
        priority=_choice(priority, TicketPriority, "priority", TicketPriority.NORMAL),
        asset=_record_of(scope, Asset, asset_id, customer, "asset"),
        location=_record_of(scope, Location, location_id, customer, "location"),
        requester=requester,
        requester_email=requester_email,
        opened_by=actor,
    )
    files = _files(files)
    where = "the portal" if scope.is_customer_user else "the console"

    def write(stored):
        return ticket_create(
            ticket,
            stored=stored,
            actor=actor,
            reason=f"Opened in {where}",
            tell_staff=scope.is_customer_user,
        )

    return _with_files(files, write)


def ticket_create(
    ticket: Ticket, *, stored: list, actor: User | None, reason: str, tell_staff: bool
) -> Ticket:
    """Save a checked new ticket with its stored files (inside the caller's transaction):
    history, the requester's acknowledgement after commit, and (when the company opened it)
    a notice to staff. For the portal, the console and the mailbox poller."""
    ticket.sla_policy = policy_for(ticket.customer)
    sla.refresh(ticket)  # from the opening time stamped when the ticket was built
    save_with_history(ticket, actor=actor, reason=reason, event="ticket.created")
    attach_stored(ticket, None, stored, actor)
    if tell_staff:
        _tell_staff(
            ticket,
            actor,
            f"{ticket.customer}: new ticket {ticket.reference} {ticket.subject}",
            kind=NotificationKind.TICKET_OPENED,
        )
    if ticket.requester_address:
        _email_after_commit(ticket, "opened")
    return ticket


def ticket_reply(
    *,
    actor: User,
    ticket_id,
    body: str,
    internal: bool = False,
    status: str = "",
    files: Iterable | None = None,
) -> Message:
    """A reply on the thread. Staff reply in public (the requester is emailed; the status
    becomes ``status``, by default "waiting on customer") or add an internal note (the
    company never sees it). A company's user replies from the portal: a ticket waiting on
    them, or resolved, opens again. Nobody replies to a closed ticket: it asks for a new one."""
    scope = scope_for(actor)
    _check_may_write(scope)
    body = _body(body, "body", "your reply")
    files = _files(files)
    if internal and not scope.is_staff:
        raise PermissionDenied("Only your provider's team writes internal notes.")

    def write(stored):
        ticket = _ticket_for(actor, ticket_id)
        if ticket.merged_into_id:
            raise ValidationError(
                f"This ticket was merged into T-{ticket.merged_into_id}: reply there."
            )
        if ticket.status == TicketStatus.CLOSED and not internal:
            raise ValidationError(
                "This ticket is closed. Open a new ticket and mention "
                f"{ticket.reference}, or ask us to reopen it."
                if not scope.is_staff
                else "This ticket is closed: reopen it before replying."
            )
        if not scope.is_staff:
            return customer_reply(ticket, author=actor, body=body, stored=stored)
        now = timezone.now()
        message = Message.objects.create(
            ticket=ticket,
            author=actor,
            body=body,
            body_html=render_plain(body),
            is_internal=internal,
            source=MessageSource.CONSOLE,
            from_staff=True,
        )
        attach_stored(ticket, message, stored, actor)
        before = ticket.status
        new_status = before
        if not internal:
            ticket.first_response_at = ticket.first_response_at or now
            new_status = _choice(status, TicketStatus, "status", TicketStatus.WAITING)
        _finish_message(ticket, actor, "Internal note" if internal else "Reply", before, new_status)
        if not internal and ticket.requester_address:
            _email_after_commit(ticket, "reply", message_id=message.pk)
        return message

    return _with_files(files, write)


def customer_reply(
    ticket: Ticket,
    *,
    author: User | None,
    body: str,
    stored: list,
    author_email: str = "",
    source: str = MessageSource.PORTAL,
) -> Message:
    """The company's answer on a locked, open ticket (inside the caller's transaction): a
    ticket waiting on them, or resolved, opens again; whoever works it is told. From the
    portal (``author``) or by email (``author`` if the address is a user's, else
    ``author_email``)."""
    message = Message.objects.create(
        ticket=ticket,
        author=author,
        author_email=author_email if author is None else "",
        body=body,
        body_html=render_plain(body),
        source=source,
        from_staff=False,
    )
    attach_stored(ticket, message, stored, author)
    before = ticket.status
    new_status = TicketStatus.OPEN if before != TicketStatus.NEW else before
    _finish_message(ticket, author, "Reply", before, new_status)
    _tell_staff(ticket, author, f"{ticket.customer}: reply on {ticket.reference} {ticket.subject}")
    return message


def _finish_message(ticket: Ticket, actor, what: str, before: str, new_status: str) -> None:
    now = timezone.now()
    _set_status(ticket, new_status, now)
    ticket.last_activity_at = now
    reason = (
        what
        if new_status == before
        else f"{what}; {_status_label(before)} → {_status_label(new_status)}"
    )
    save_with_history(ticket, actor=actor, reason=reason, event="ticket.updated")


def ticket_set_status(*, actor: User, ticket_id, status: str, reason: str = "") -> Ticket:
    """Staff move a ticket on (open, waiting on customer, resolved, closed, or back to open);
    the requester is emailed."""
    scope = scope_for(actor)
    _check_staff(scope)
    status = _choice(status, TicketStatus, "status", "")
    with transaction.atomic():
        ticket = _ticket_for(actor, ticket_id)
        if ticket.merged_into_id:
            raise ValidationError(f"This ticket was merged into T-{ticket.merged_into_id}.")
        before = ticket.status
        if status == before:
            raise ValidationError(
                {"status": f"The ticket is {_status_label(before).lower()} already."}
            )
        now = timezone.now()
        _set_status(ticket, status, now)
        ticket.last_activity_at = now
        text = f"{_status_label(before)} → {_status_label(status)}"
        reason = _text(reason)[:200]
        save_with_history(
            ticket,
            actor=actor,
            reason=f"{text}: {reason}" if reason else text,
            event="ticket.updated",
        )
        if ticket.requester_address:
            _email_after_commit(ticket, "status")
    return ticket


def ticket_update(*, actor: User, ticket_id, data: dict[str, Any]) -> Ticket:
    """Staff change a ticket's priority, category or assignee (``data`` holds any of
    ``priority``, ``category``, ``assignee_id``); a new assignee is told."""
    scope = scope_for(actor)
    _check_staff(scope)
    unknown = sorted(set(data) - {"priority", "category", "assignee_id"})
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Not a field you can change here."))
    with transaction.atomic():
        ticket = _ticket_for(actor, ticket_id)
        before = {
            field: getattr(ticket, field) for field in ("priority", "category", "assignee_id")
        }
        if "priority" in data:
            ticket.priority = _choice(data["priority"], TicketPriority, "priority", "")
            sla.refresh(ticket)
        if "category" in data:
            ticket.category = _choice(data["category"], TicketCategory, "category", "")
        if "assignee_id" in data:
            ticket.assignee = _staff_assignee(data["assignee_id"], ticket.customer)
        changes = [
            field.removesuffix("_id")
            for field, value in before.items()
            if getattr(ticket, field) != value
        ]
        if not changes:
            return ticket
        save_with_history(
            ticket, actor=actor, reason=f"Changed {', '.join(changes)}", event="ticket.updated"
        )
        if ticket.assignee_id not in (None, before["assignee_id"], actor.pk):
            notify(
                [ticket.assignee],
                kind=NotificationKind.TICKET_ASSIGNED,
                message=f"{actor} assigned you {ticket.reference} {ticket.subject}",
                url=ticket.get_absolute_url(),
            )
    return ticket


def tickets_customer_purged(customer, *, actor: User | None) -> None:
    """Reaction to a customer's purge (registered in TicketsConfig.ready): its tickets go
    with it (the database cascades), and their stored files once the purge has committed."""
    keys = list(Attachment.objects.filter(ticket__customer=customer).values_list("file", flat=True))
    Ticket.objects.filter(customer=customer).delete()

    def remove_files() -> None:
        for key in keys:
            discard(key)

    transaction.on_commit(remove_files)


# --- Helpers ----------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return TicketStatus(status).label


def _set_status(ticket: Ticket, status: str, now) -> None:
    """The status and its clocks: resolving stamps the time; the SLA's resolution clock
    stops while the ticket waits on the customer (or is resolved) and runs on when it
    opens again."""
    ticket.status = status
    if status in CLOCK_STOPPED:
        sla.pause(ticket, now)
    else:
        sla.resume(ticket, now)
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = ticket.resolved_at or now
    elif status == TicketStatus.CLOSED:
        ticket.resolved_at = ticket.resolved_at or now
        ticket.closed_at = ticket.closed_at or now
    else:
        ticket.resolved_at = ticket.closed_at = None


def reaching(users, customer_id: int) -> list[User]:
    """The staff among ``users`` who can see the company: everyone not limited to assigned
    customers, and the limited ones whose scope reaches it (only they cost a lookup)."""
    return [
        user
        for user in users
        if user.customer_access != CustomerAccess.ASSIGNED
        or scope_for(user).reaches_customer(customer_id)
    ]


def _tell_staff(
    ticket: Ticket,
    actor: User | None,
    message: str,
    *,
    kind=NotificationKind.TICKET_REPLIED,
    workers: list[User] | None = None,
) -> None:
    """The assignee, else everyone who works tickets and can see the company (``workers``:
    those staff, read once by a caller telling about many tickets)."""
    actor_id = getattr(actor, "pk", None)
    if ticket.assignee_id:
        recipients = [ticket.assignee] if ticket.assignee_id != actor_id else []
    else:
        if workers is None:
            workers = memoized("ticket-workers", lambda: list(staff_with(Capability.EDIT_RECORDS)))
        recipients = [u for u in reaching(workers, ticket.customer_id) if u.pk != actor_id]
    notify(
        recipients,
        kind=kind,
        message=message[:300],
        url=ticket.get_absolute_url(),
    )


def _email_after_commit(ticket: Ticket, kind: str, **kwargs) -> None:
    from .emails import send_ticket_email

    defer_after_commit(send_ticket_email, ticket_id=ticket.pk, kind=kind, **kwargs)
