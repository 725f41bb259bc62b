"""Outgoing webhooks: endpoints the tenant owner registers, and every delivery attempt."""

import secrets
import uuid

from django.db import models
from simple_history.models import HistoricalRecords

from core.policies import Capability
from core.querysets import ScopedQuerySet


class WebhookEvent(models.TextChoices):
    CUSTOMER_CREATED = "customer.created", "Customer created"
    CUSTOMER_UPDATED = "customer.updated", "Customer updated"
    CUSTOMER_ARCHIVED = "customer.archived", "Customer archived"
    CUSTOMER_UNARCHIVED = "customer.unarchived", "Customer unarchived"
    CUSTOMER_DELETED = "customer.deleted", "Customer deleted"
    CUSTOMER_RESTORED = "customer.restored", "Customer restored"
    CONTACT_CREATED = "contact.created", "Contact created"
    CONTACT_UPDATED = "contact.updated", "Contact updated"
    CONTACT_ARCHIVED = "contact.archived", "Contact archived (left the company)"
    LOCATION_CREATED = "location.created", "Location created"
    LOCATION_UPDATED = "location.updated", "Location updated"
    ASSET_CREATED = "asset.created", "Asset created"
    ASSET_UPDATED = "asset.updated", "Asset updated"
    PORTAL_USER_INVITED = "portal_user.invited", "Portal user invited"
    INVOICE_ISSUED = "invoice.issued", "Invoice issued"
    INVOICE_PAID = "invoice.paid", "Invoice paid"
    TICKET_CREATED = "ticket.created", "Ticket opened"
    TICKET_UPDATED = "ticket.updated", "Ticket updated (reply, status, assignment, merge)"
    CONTRACT_CREATED = "contract.created", "Contract created"
    CONTRACT_UPDATED = "contract.updated", "Contract updated (edit, renewal, termination)"
    CONTRACT_RENEWAL_DUE = "contract.renewal_due", "Contract renewal due (reminder day)"


class WebhookQuerySet(ScopedQuerySet):
    """Endpoints and deliveries are the workspace's integration settings: the owner's."""

    scope_paths = ()
    staff_actions = dict.fromkeys(("view", "change", "delete"), Capability.MANAGE_TENANT)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500, help_text="Where we POST the events (https recommended).")
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(
        max_length=100, default=new_secret, help_text="Signs every request (HMAC-SHA256)."
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Who added, changed, paused, rotated or removed an endpoint, and when; the secret itself
    # never goes into history.
    history = HistoricalRecords(excluded_fields=["secret"])
    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=50, choices=WebhookEvent)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_recent")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint.url}"
