"""Where a tenant's support mail is read from besides its Maildir folder: an IMAP mailbox
(host, port, how the connection is secured, the account and its folder). One row per
tenant; the password is stored for the worker to sign in with and never shown again."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.policies import Capability
from core.querysets import ScopedQuerySet


class ImapSecurity(models.TextChoices):
    SSL = "ssl", "SSL/TLS (port 993)"
    STARTTLS = "starttls", "STARTTLS (port 143)"
    NONE = "none", "None: plain text (only inside your own network)"


class MailInQuerySet(ScopedQuerySet):
    """The workspace's mail settings: the owner's, like webhooks."""

    scope_paths = ()
    staff_actions = dict.fromkeys(("view", "change"), Capability.MANAGE_TENANT)
    portal_actions: dict[str, str] = {}


class MailInSettings(models.Model):
    imap_enabled = models.BooleanField("read an IMAP mailbox", default=False)
    imap_host = models.CharField("server", max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(
        "port", default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    imap_security = models.CharField(
        "security", max_length=10, choices=ImapSecurity, default=ImapSecurity.SSL
    )
    imap_username = models.CharField("user name", max_length=200, blank=True)
    imap_password = models.CharField(max_length=500, blank=True)
    imap_folder = models.CharField("folder", max_length=200, default="INBOX")
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_read = models.PositiveIntegerField(default=0, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=["imap_password", "last_polled_at", "last_read", "last_error"]
    )
    objects = MailInQuerySet.as_manager()

    class Meta:
        verbose_name = "mail-in settings"
        verbose_name_plural = "mail-in settings"

    def __str__(self) -> str:
        if not self.imap_enabled:
            return "Maildir only"
        return f"{self.imap_username}@{self.imap_host}/{self.imap_folder}"
