"""The in-app notification list: a short line with a link for one staff user, written when
long work they started finishes (an export, an import, a bulk change, an invoice run) or when
billing needs them (invoices fell overdue, a company was suspended). Rows are written in the
transaction of the change they report, so a rolled-back change notifies nobody."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from .policies import ROLE_CAPABILITIES, Capability

#: Read notifications older than this are removed by the daily clean-up.
KEEP_READ_DAYS = 90
BADGE_MAX = 99


class NotificationKind(models.TextChoices):
    EXPORT_READY = "export_ready", "Export ready"
    EXPORT_FAILED = "export_failed", "Export failed"
    IMPORT_FINISHED = "import_finished", "Import finished"
    BULK_FINISHED = "bulk_finished", "Bulk change finished"
    INVOICE_RUN_FINISHED = "invoice_run_finished", "Invoice run finished"
    INVOICES_OVERDUE = "invoices_overdue", "Invoices overdue"
    COMPANY_SUSPENDED = "company_suspended", "Company suspended"
    TICKET_OPENED = "ticket_opened", "New ticket"
    TICKET_REPLIED = "ticket_replied", "Reply on a ticket"
    TICKET_ASSIGNED = "ticket_assigned", "Ticket assigned to you"
    SLA_BREACHED = "sla_breached", "Service level missed"
    TICKET_RATED_BAD = "ticket_rated_bad", "Ticket rated bad"
    CONTRACT_RENEWAL_DUE = "contract_renewal_due", "Contract renewal due"


KIND_ICONS = {
    NotificationKind.EXPORT_READY: "download",
    NotificationKind.EXPORT_FAILED: "exclamation-triangle",
    NotificationKind.IMPORT_FINISHED: "upload",
    NotificationKind.BULK_FINISHED: "check2-square",
    NotificationKind.INVOICE_RUN_FINISHED: "receipt",
    NotificationKind.INVOICES_OVERDUE: "hourglass-bottom",
    NotificationKind.COMPANY_SUSPENDED: "pause-circle",
    NotificationKind.TICKET_OPENED: "life-preserver",
    NotificationKind.TICKET_REPLIED: "chat-left-text",
    NotificationKind.TICKET_ASSIGNED: "person-check",
    NotificationKind.SLA_BREACHED: "alarm",
    NotificationKind.TICKET_RATED_BAD: "emoji-frown",
    NotificationKind.CONTRACT_RENEWAL_DUE: "file-earmark-text",
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "accounts"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=("recipient", "-created_at"), name="notification_recent"),
            models.Index(
                fields=("recipient",),
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def icon(self) -> str:
        return KIND_ICONS.get(self.kind, "bell")

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


def notify(recipients: Iterable, *, kind: NotificationKind, message: str, url: str = "") -> int:
    """One notification for each distinct, active recipient; returns how many were written."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, message=message[:300], url=url))
    Notification.objects.bulk_create(rows)
    return len(rows)


def staff_with(capability: Capability):
    """Active staff whose role carries ``capability`` (billing news goes to who can act on
    it)."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    return get_user_model().objects.filter(is_active=True, role__in=roles).order_by("pk")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)[
        : BADGE_MAX + 1
    ].count()


def mark_read(user, pk: int) -> Notification | None:
    """The user's own notification, marked read (None: not theirs or gone)."""
    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def prune_read(*, now=None) -> int:
    """Remove read notifications older than KEEP_READ_DAYS; unread ones stay."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_READ_DAYS)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
