"""Managing the owner's endpoints; emitting events and delivering them, signed, through
the task queue."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import User
from core import outbound
from core.memo import memoized
from core.policies import Capability, user_can
from core.services import model_update, save_with_history
from core.tasks import defer_after_commit, defer_many_after_commit

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent, new_secret

TIMEOUT_SECONDS = 10  # in total: resolving, connecting, sending and reading the answer
MAX_RESPONSE_BYTES = 2000  # of the answer, kept in the delivery log
USER_AGENT = "Clientele-Webhooks/1"


# --- Endpoints: the workspace owner's, each change in the endpoint's history --------------

ENDPOINT_FIELDS = ["url", "description", "events"]


def _check_actor(actor: User | None) -> None:
    if actor is not None and not user_can(actor, Capability.MANAGE_TENANT):
        raise PermissionDenied("Only the workspace owner manages webhooks.")


def _check_events(events) -> list[str]:
    events = list(events or [])
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if unknown:
        raise ValidationError({"events": f"Unknown events: {', '.join(unknown)}."})
    if not events:
        raise ValidationError({"events": "Choose at least one event."})
    return [event for event in WebhookEvent.values if event in events]


def _check_url(url: str) -> None:
    """Refuse now what delivery would refuse (a loopback, private or metadata address, unless
    the platform operator allowed it); a host that does not resolve yet is accepted, and every
    delivery checks again."""
    try:
        outbound.check_url(url)
    except outbound.OutboundRefused as refusal:
        raise ValidationError(
            {
                "url": f"Webhooks cannot be sent there: {refusal.detail}. Internal receivers "
                "need the platform operator's permission."
            }
        ) from None


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)


@transaction.atomic
def webhook_endpoint_create(
    *, url: str, events: list[str], actor: User | None, description: str = ""
) -> WebhookEndpoint:
    """A new endpoint, active, with a fresh signing secret (shown on its page)."""
    _check_actor(actor)
    _check_url(url)
    endpoint = WebhookEndpoint(url=url, description=description, events=_check_events(events))
    return save_with_history(endpoint, actor=actor, reason="Added")


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, data: dict, fields: list[str], actor: User | None
) -> WebhookEndpoint:
    """Change the ``fields`` named (of url, description, events) from ``data``; nothing is
    written when nothing changes."""
    _check_actor(actor)
    refused = sorted(set(fields) - set(ENDPOINT_FIELDS))
    if refused:
        raise ValueError(f"These endpoint fields cannot be changed here: {refused}")
    data = {name: data[name] for name in fields if name in data}
    if "events" in data:
        data["events"] = _check_events(data["events"])
    if "url" in data:
        _check_url(data["url"])
    endpoint, _ = model_update(
        instance=_locked(endpoint), fields=list(fields), data=data, actor=actor, reason="Changed"
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, actor: User | None
) -> WebhookEndpoint:
    """A new signing secret; the old one stops working at once. History records who rotated
    it and when, never the secret."""
    _check_actor(actor)
    endpoint = _locked(endpoint)
    endpoint.secret = new_secret()
    return save_with_history(endpoint, actor=actor, reason="Signing secret rotated")


@transaction.atomic
def webhook_endpoint_set_enabled(
    *, endpoint: WebhookEndpoint, enabled: bool, actor: User | None
) -> WebhookEndpoint:
    """Pause (no new deliveries are recorded) or resume an endpoint."""
    _check_actor(actor)
    endpoint, _ = model_update(
        instance=_locked(endpoint),
        fields=["is_active"],
        data={"is_active": enabled},
        actor=actor,
        reason="Resumed" if enabled else "Paused",
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User | None) -> None:
    """Remove an endpoint and its delivery log; its history keeps who removed it."""
    _check_actor(actor)
    endpoint = _locked(endpoint)
    endpoint._history_user = actor
    endpoint._change_reason = "Removed"
    endpoint.delete()


# --- Events and deliveries ------------------------------------------------------------------


class PayloadEncoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as Django encodes them; field values with a text form of
    their own (phone numbers, countries) as that text."""

    def default(self, o):
        if isinstance(o, PhoneNumber):
            return o.as_e164
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` — receivers recompute it and
    reject old timestamps (replay protection)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def anyone_listens(event: str) -> bool:
    """Whether any active endpoint wants ``event`` (one query, for loops over many objects)."""
    return WebhookEndpoint.objects.filter(is_active=True, events__contains=[event]).exists()


def emit_event(event: str, *, obj, changes=None, data: dict | None = None) -> int:
    """Record a delivery for every active endpoint that wants ``event`` and queue them.
    ``changes`` may be a callable, so nobody computes them when nobody listens."""
    return emit_events(event, [(obj, changes)], data=lambda _obj: data)


def emit_events(
    event: str,
    items: Iterable[tuple[models.Model, list[dict] | Callable[[], list[dict]] | None]],
    *,
    data: Callable[[models.Model], dict | None] | None = None,
) -> int:
    """``emit_event`` for many objects (bulk actions, imports): one query for the endpoints,
    one insert per thousand deliveries, their tasks queued in batches after commit. Returns
    the number of deliveries."""
    endpoints = [e for e in _active_endpoints() if event in (e.events or [])]
    if not endpoints:
        return 0
    occurred_at = timezone.now().isoformat()
    deliveries = []
    for obj, changes in items:
        extra = data(obj) if data else None
        if extra is None and hasattr(obj, "webhook_data"):
            extra = obj.webhook_data()  # a model's own payload fields (tickets)
        payload = {
            "event": event,
            "occurred_at": occurred_at,
            "tenant": connection.schema_name,
            "object": {"type": obj._meta.model_name, "id": obj.pk, **(extra or {"name": str(obj)})},
            "changes": (changes() if callable(changes) else changes) or [],
        }
        payload = json.loads(json.dumps(payload, cls=PayloadEncoder))
        deliveries.extend(
            WebhookDelivery(endpoint=endpoint, event=event, payload=payload)
            for endpoint in endpoints
        )
    WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000)
    from .tasks import deliver_webhook

    defer_many_after_commit(deliver_webhook, [{"delivery_id": d.pk} for d in deliveries])
    return len(deliveries)


def _active_endpoints() -> list[WebhookEndpoint]:
    """The active endpoints, read once per ``core.memo`` scope (a poll of the mailbox)."""
    return memoized(
        "webhook-endpoints", lambda: list(WebhookEndpoint.objects.filter(is_active=True))
    )


class WebhookSink:
    """What ``core.events`` hands every event to (registered in ``WebhooksConfig.ready``):
    deliveries are recorded in the emitter's transaction and queued after it commits."""

    def emit(self, event: str, items, *, data=None) -> int:
        return emit_events(event, items, data=data)

    def listens(self, event: str) -> bool:
        return anyone_listens(event)


webhook_sink = WebhookSink()


class DeliveryFailed(Exception):
    """The endpoint did not answer 2xx (or not in time): the queue retries with backoff."""


def deliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """POST one delivery through ``core.outbound`` (public addresses only, unless the operator
    allowed an internal one; redirects are not followed; at most 10 s); record what happened.
    A refused address is logged and not retried (replay it once it is allowed); any other
    failure raises DeliveryFailed, which the queue retries."""
    body = json.dumps({"id": str(delivery.event_id), **delivery.payload}).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Clientele-Event": delivery.event,
        "X-Clientele-Delivery": str(delivery.event_id),
        "X-Clientele-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    delivery.response_code, delivery.response_body = None, ""
    Status = WebhookDelivery.Status
    retry = True
    try:
        response = outbound.post(
            delivery.endpoint.url, body=body, headers=headers, timeout=TIMEOUT_SECONDS
        )
    except outbound.OutboundRefused as refusal:
        delivery.status, delivery.error, retry = Status.FAILED, refusal.reason, False
    except outbound.OutboundError as error:
        delivery.status, delivery.error = Status.FAILED, error.reason
    else:
        delivery.response_code = response.status
        delivery.response_body = response.body[:MAX_RESPONSE_BYTES].decode(errors="replace")
        if 200 <= response.status < 300:
            delivery.status, delivery.error = Status.SUCCEEDED, ""
        elif 300 <= response.status < 400:
            delivery.status = Status.FAILED
            delivery.error = f"HTTP {response.status}: redirects are not followed"
        else:
            delivery.status, delivery.error = Status.FAILED, f"HTTP {response.status}"
    delivery.error = delivery.error[:500]
    delivery.save()
    if delivery.status == Status.FAILED and retry:
        raise DeliveryFailed(delivery.error)
    return delivery


def replay(delivery: WebhookDelivery) -> None:
    from .tasks import deliver_webhook

    delivery.status = WebhookDelivery.Status.PENDING
    delivery.save(update_fields=["status"])
    defer_after_commit(deliver_webhook, delivery_id=delivery.pk)
