"""The service desk: a ticket is one company's request (opened in the portal or by staff on
its behalf), its thread of messages (public replies and internal notes) and its files.

A ticket's number is its primary key (``T-1042``): unique in the tenant, never reused. Its
``reply_token`` is the secret an emailed reply carries in its subject, so an answer by email
finds its thread without trusting the sender's address alone."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from documents.storage import documents_storage

from .querysets import (
    OPEN_STATUSES,
    AttachmentQuerySet,
    InboundQuerySet,
    MessageQuerySet,
    TicketQuerySet,
    TimeEntryQuerySet,
)

BODY_MAX = 20_000
SUBJECT_MAX = 200


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class TicketPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class TicketCategory(models.TextChoices):
    QUESTION = "question", "Question"
    PROBLEM = "problem", "Something is broken"
    REQUEST = "request", "Service request"
    BILLING = "billing", "Billing"
    OTHER = "other", "Other"


class Rating(models.TextChoices):
    GOOD = "good", "Good"
    OKAY = "okay", "Okay"
    BAD = "bad", "Bad"


class MessageSource(models.TextChoices):
    PORTAL = "portal", "Portal"
    CONSOLE = "console", "Console"
    EMAIL = "email", "Email"


STATUS_BADGES = {
    TicketStatus.NEW: "text-bg-info",
    TicketStatus.OPEN: "text-bg-primary",
    TicketStatus.WAITING: "text-bg-warning",
    TicketStatus.RESOLVED: "text-bg-success",
    TicketStatus.CLOSED: "text-bg-secondary",
}
PRIORITY_BADGES = {
    TicketPriority.LOW: "text-bg-light border",
    TicketPriority.NORMAL: "text-bg-secondary",
    TicketPriority.HIGH: "text-bg-warning",
    TicketPriority.URGENT: "text-bg-danger",
}


def new_reply_token() -> str:
    return secrets.token_hex(6)


class Ticket(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="tickets"
    )
    subject = models.CharField(max_length=SUBJECT_MAX)
    description = models.TextField(max_length=BODY_MAX)  # Markdown
    description_html = models.TextField(blank=True, editable=False)
    category = models.CharField(
        max_length=20, choices=TicketCategory, default=TicketCategory.QUESTION
    )
    priority = models.CharField(
        max_length=10, choices=TicketPriority, default=TicketPriority.NORMAL
    )
    status = models.CharField(max_length=10, choices=TicketStatus, default=TicketStatus.NEW)
    # Who asked: a customer user of the company, else (opened by staff or by email) an address.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requested_tickets",
    )
    requester_email = models.EmailField(blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    location = models.ForeignKey(
        "locations.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    reply_token = models.CharField(max_length=12, default=new_reply_token, unique=True)
    # 48 random bits: core.services.full_clean does not ask whether a new ticket's token is
    # taken (the unique index does).
    random_unique_fields = ("reply_token",)
    # Stamped when the ticket is built (not at INSERT), so its SLA due times are computed
    # before the one INSERT that stores them.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # When something last happened on the thread (the queue's default order).
    last_activity_at = models.DateTimeField(auto_now_add=True)
    first_response_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Service level (tickets.sla): the policy it was opened under and its clocks.
    sla_policy = models.ForeignKey(
        "tickets.SlaPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name="SLA policy",
    )
    first_response_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_paused_minutes = models.PositiveIntegerField(default=0, editable=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Satisfaction: the requester's one rating after resolution (tickets.rating).
    rating = models.CharField(max_length=5, choices=Rating, null=True, blank=True, editable=False)
    rating_comment = models.TextField(blank=True, max_length=2000, editable=False)
    rated_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "description_html",
            "last_activity_at",
            "reply_token",
            "first_response_due_at",
            "resolution_due_at",
            "sla_paused_at",
            "sla_paused_minutes",
        ]
    )
    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-last_activity_at", "-id"], name="ticket_customer"),
            models.Index(fields=["status", "-last_activity_at", "-id"], name="ticket_status"),
            models.Index(fields=["priority", "-last_activity_at", "-id"], name="ticket_priority"),
            models.Index(
                fields=["assignee", "-last_activity_at", "-id"],
                name="ticket_open_assignee",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["-last_activity_at", "-id"], name="ticket_queue"),
            # The queue's default: unresolved tickets, latest activity first.
            models.Index(
                fields=["-last_activity_at", "-id"],
                name="ticket_unresolved_queue",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The breach check's two questions, asked every minute.
            models.Index(
                fields=["first_response_due_at"],
                name="ticket_first_response_due",
                condition=Q(
                    first_response_at__isnull=True,
                    first_response_breached_at__isnull=True,
                    first_response_due_at__isnull=False,
                ),
            ),
            models.Index(
                fields=["resolution_due_at"],
                name="ticket_resolution_due",
                condition=Q(
                    status__in=OPEN_STATUSES,
                    resolution_breached_at__isnull=True,
                    resolution_due_at__isnull=False,
                ),
            ),
            # The queue's "missed a target" filter.
            models.Index(
                fields=["-last_activity_at", "-id"],
                name="ticket_missed_target",
                condition=Q(first_response_breached_at__isnull=False)
                | Q(resolution_breached_at__isnull=False),
            ),
            # Search by subject: pg_trgm on the expression Django's icontains compares
            # (UPPER(subject) LIKE UPPER('%term%')), so the search is an index scan.
            GinIndex(OpClass(Upper("subject"), name="gin_trgm_ops"), name="ticket_subject_uc_trgm"),
            # The same for the queue's default (unresolved) view: fewer rows to fetch.
            GinIndex(
                OpClass(Upper("subject"), name="gin_trgm_ops"),
                name="ticket_open_subject_uc_trgm",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # Attainment reports: a month's tickets, by company.
            models.Index(fields=["created_at", "customer"], name="ticket_opened_month"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:ticket_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"T-{self.pk}"

    def portal_url(self) -> str:
        return reverse("portal:ticket_detail", args=[self.customer_id, self.pk])

    def webhook_data(self) -> dict:
        """What a ``ticket.*`` webhook says of the ticket (webhooks.services)."""
        return {
            "name": str(self),
            "reference": self.reference,
            "subject": self.subject,
            "status": self.status,
            "priority": self.priority,
            "category": self.category,
            "customer_id": self.customer_id,
            "assignee_id": self.assignee_id,
        }

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_badge_class(self) -> str:
        return STATUS_BADGES.get(self.status, "text-bg-secondary")

    @property
    def priority_badge_class(self) -> str:
        return PRIORITY_BADGES.get(self.priority, "text-bg-secondary")

    @property
    def requester_address(self) -> str:
        if self.requester_id and self.requester.is_active:
            return self.requester.email
        return self.requester_email


class Message(models.Model):
    """One entry of a ticket's thread: a public reply (the company sees it and is emailed) or
    an internal note (staff only). Never edited: the thread is the record of what was said."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_email = models.EmailField(blank=True)  # a reply by email from an address we know
    body = models.TextField(max_length=BODY_MAX)  # Markdown
    body_html = models.TextField(blank=True, editable=False)
    is_internal = models.BooleanField("internal note", default=False)
    source = models.CharField(max_length=10, choices=MessageSource, default=MessageSource.CONSOLE)
    from_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="message_thread")]

    def __str__(self) -> str:
        return f"{'Note' if self.is_internal else 'Reply'} on {self.ticket_id}"

    @property
    def author_name(self) -> str:
        if self.author_id:
            return str(self.author)
        return self.author_email or "Someone"


class Attachment(models.Model):
    """A file on a ticket (with its description, ``message`` empty) or on one message. The
    bytes live in the documents storage under a random key and are served only by the app."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(storage=documents_storage, max_length=300)
    original_name = models.CharField(max_length=210)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["ticket", "message"], name="attachment_ticket")]

    def __str__(self) -> str:
        return self.original_name


class TimeEntry(models.Model):
    """Time a staff member spent on a ticket, on a day: what block-of-hours contracts draw
    down (contracts.drawdown) and what the ticket's page totals."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    minutes = models.PositiveIntegerField()
    work_date = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TimeEntryQuerySet.as_manager()

    class Meta:
        ordering = ["work_date", "id"]
        verbose_name_plural = "time entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0, minutes__lte=24 * 60), name="time_entry_minutes_range"
            )
        ]
        indexes = [
            models.Index(fields=["ticket", "work_date"], name="time_entry_ticket"),
            models.Index(fields=["work_date"], name="time_entry_day"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.ticket_id}"


class InboundOutcome(models.TextChoices):
    TICKET = "ticket", "New ticket"
    REPLY = "reply", "Reply on a ticket"
    TRIAGE = "triage", "Waiting in triage"
    IGNORED = "ignored", "Ignored"
    DISCARDED = "discarded", "Discarded from triage"


class InboundEmail(models.Model):
    """One message the mailbox poller read, kept as it arrived (the raw bytes in the documents
    storage): what became of it (a ticket, a reply, triage for an unknown sender, ignored
    as an automatic reply) and why. Its Message-ID makes reading it twice harmless."""

    mail_id = models.CharField("Message-ID", max_length=300, unique=True)
    sender = models.EmailField(blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)  # the text part (or the HTML's text), as read
    raw = models.FileField(storage=documents_storage, max_length=300)
    size = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=InboundOutcome)
    note = models.CharField(max_length=500, blank=True)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    # Staff only, and only those who see every customer: an unknown sender belongs to nobody
    # yet (the triage pages require an unlimited scope).
    objects = InboundQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["-received_at", "-id"],
                name="inbound_triage",
                condition=Q(outcome="triage"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


from .models_mail import MailInSettings  # noqa: E402, F401  (registered with the app)
from .models_sla import CustomerSla, SlaPolicy  # noqa: E402, F401  (registered with the app)
