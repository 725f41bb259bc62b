"""Webhooks cannot be pointed at the inside (#16): deliveries to loopback, private and metadata
addresses are refused unless the platform operator allowed them (for every tenant, or for one
tenant), the delivery log says why, redirects are not followed, answers are capped in size and
time, and the address that was checked is the one connected to.

Every receiver here is a real HTTP server on loopback, started by the test."""

import socket

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import StaffRole
from customers import services as customer_services
from tenants.services import tenant_settings_update
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .receivers import huge_body, redirect_to, stall

pytestmark = pytest.mark.django_db


@pytest.fixture
def emit(django_capture_on_commit_callbacks):
    """Create a customer (the ``customer.created`` event) and run its deliveries now; returns
    the delivery."""

    def emit(url: str) -> WebhookDelivery:
        endpoint = WebhookEndpoint.objects.create(url=url, events=["customer.created"])
        with django_capture_on_commit_callbacks(execute=True):
            customer_services.customer_create(actor=None, name="Acme")
        return WebhookDelivery.objects.get(endpoint=endpoint)

    return emit


def allow_for_tenant(tenant, entries):
    """What the platform operator does on the tenant's platform admin page."""
    tenant_settings_update(
        tenant=tenant,
        data={"outbound_allowed_networks": entries},
        fields=["outbound_allowed_networks"],
        actor=None,
    )


def test_loopback_is_refused_by_default_and_the_log_says_why(
    client_as, start_receiver, emit, django_capture_on_commit_callbacks
):
    owner = client_as(StaffRole.OWNER)
    receiver = start_receiver()
    delivery = emit(receiver.url)  # refused: logged, not retried (no DeliveryFailed)
    assert receiver.received == []
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, None)
    assert delivery.error == "refused: 127.0.0.1 is a loopback address"
    page = owner.get(reverse("webhooks:endpoint_detail", args=[delivery.endpoint.pk]))
    assert "refused: 127.0.0.1 is a loopback address" in page.content.decode()
    # Replaying does not get through either.
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            reverse("webhooks:endpoint_detail", args=[delivery.endpoint.pk]),
            {"action": "replay", "delivery": delivery.pk},
        )
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == "failed" and receiver.received == []


def test_a_refused_delivery_goes_out_on_replay_once_the_operator_allows_it(
    client_as, tenant, start_receiver, emit, django_capture_on_commit_callbacks
):
    owner = client_as(StaffRole.OWNER)
    receiver = start_receiver()
    delivery = emit(receiver.url)
    assert delivery.status == "failed" and receiver.received == []
    allow_for_tenant(tenant, ["127.0.0.1"])
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            reverse("webhooks:endpoint_detail", args=[delivery.endpoint.pk]),
            {"action": "replay", "delivery": delivery.pk},
        )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error, delivery.attempts) == ("succeeded", "", 2)
    assert len(receiver.received) == 1


def test_a_host_name_that_resolves_to_loopback_is_refused(in_tenant, start_receiver, emit):
    receiver = start_receiver()
    delivery = emit(receiver.url_for("localhost"))
    assert delivery.error == "refused: localhost resolves to a loopback address"
    assert receiver.received == []


def test_the_operator_allows_loopback_for_one_tenant(in_tenant, other_tenant, start_receiver, emit):
    receiver = start_receiver()
    allow_for_tenant(in_tenant, ["127.0.0.1/32"])
    delivery = emit(receiver.url)
    assert (delivery.status, delivery.response_code, delivery.error) == ("succeeded", 200, "")
    assert len(receiver.received) == 1
    # The other tenant was not allowed anything.
    connection.set_tenant(other_tenant)
    delivery = emit(receiver.url)
    assert delivery.error == "refused: 127.0.0.1 is a loopback address"
    assert len(receiver.received) == 1


def test_the_operator_allows_loopback_for_every_tenant(
    in_tenant, other_tenant, start_receiver, emit, settings
):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver = start_receiver()
    assert emit(receiver.url).status == "succeeded"
    connection.set_tenant(other_tenant)
    assert emit(receiver.url).status == "succeeded"
    assert len(receiver.received) == 2


def test_the_connection_goes_to_the_address_that_was_checked(
    in_tenant, start_receiver, emit, monkeypatch
):
    """DNS rebinding: ``rebind.test`` answers the allowed 127.0.0.1 once and the forbidden
    127.0.0.2 (a second receiver on the same port) ever after. The delivery reaches 127.0.0.1
    with ``Host: rebind.test``; 127.0.0.2 hears nothing."""
    allow_for_tenant(in_tenant, ["127.0.0.1/32"])
    checked = start_receiver()
    secret = start_receiver(host="127.0.0.2", port=checked.port)
    real_getaddrinfo, lookups = socket.getaddrinfo, []

    def rebinding_dns(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        answer = "127.0.0.1" if len(lookups) == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    delivery = emit(checked.url_for("rebind.test"))
    assert delivery.status == "succeeded" and lookups == ["rebind.test"]
    ((headers, _body),) = checked.received
    assert headers["Host"] == f"rebind.test:{checked.port}"
    assert checked.arrivals == ["127.0.0.1"] and secret.received == []


def test_localhost_reaches_the_checked_loopback_address_when_allowed(
    in_tenant, start_receiver, emit
):
    allow_for_tenant(in_tenant, ["127.0.0.1/32"])
    receiver = start_receiver()
    assert emit(receiver.url_for("localhost")).status == "succeeded"
    ((headers, _body),) = receiver.received
    assert headers["Host"] == f"localhost:{receiver.port}"
    assert receiver.arrivals == ["127.0.0.1"]


def test_a_redirect_to_a_forbidden_address_is_not_followed(in_tenant, start_receiver, emit):
    allow_for_tenant(in_tenant, ["127.0.0.1/32"])
    forbidden = start_receiver(host="127.0.0.2")
    redirecting = start_receiver(respond=redirect_to(forbidden.url, status=307))
    with pytest.raises(services.DeliveryFailed):
        emit(redirecting.url)
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_code == 307
    assert delivery.error == "HTTP 307: redirects are not followed"
    assert len(redirecting.received) == 1 and forbidden.received == []


def test_an_oversize_answer_is_capped(in_tenant, start_receiver, emit):
    allow_for_tenant(in_tenant, ["127.0.0.1/32"])
    receiver = start_receiver(respond=huge_body(50 * 1024 * 1024))
    delivery = emit(receiver.url)
    assert delivery.status == "succeeded"
    assert delivery.response_body == "x" * services.MAX_RESPONSE_BYTES


def test_a_slow_receiver_times_out_and_is_retried(in_tenant, start_receiver, emit, monkeypatch):
    allow_for_tenant(in_tenant, ["127.0.0.1/32"])
    monkeypatch.setattr(services, "TIMEOUT_SECONDS", 1)
    receiver = start_receiver(respond=stall(3))
    with pytest.raises(services.DeliveryFailed, match="timed out after 1 s"):
        emit(receiver.url)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.error) == ("failed", "timed out after 1 s")


# --- Adding an endpoint -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/hook", "127.0.0.1 is a loopback address"),
        ("http://localhost:8000/hook", "localhost resolves to a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "(cloud metadata service)"),
        ("http://10.1.2.3/hook", "10.1.2.3 is a private address"),
        ("http://[::1]/hook", "::1 is a loopback address"),
        ("http://[::ffff:192.168.0.1]/hook", "a private address in IPv4-mapped form"),
        ("http://[fd00::1]/hook", "fd00::1 is a unique-local address"),
        ("https://user:pw@hooks.example/hook", "URLs with a user name or password"),
        ("ftp://hooks.example/hook", "only http and https URLs are allowed"),
    ],
)
def test_adding_an_endpoint_to_a_forbidden_address_is_refused(client_as, url, reason):
    owner = client_as(StaffRole.OWNER)
    response = owner.post(
        reverse("webhooks:endpoint_list"), {"url": url, "events": ["customer.created"]}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Webhooks cannot be sent there" in content
    assert reason.replace("&", "&amp;") in content.replace("&#x27;", "'")
    assert not WebhookEndpoint.objects.exists()


def test_an_allowed_internal_receiver_can_be_added(client_as, tenant):
    owner = client_as(StaffRole.OWNER)
    allow_for_tenant(tenant, ["10.1.0.0/16"])
    response = owner.post(
        reverse("webhooks:endpoint_list"),
        {"url": "http://10.1.2.3/hook", "events": ["customer.created"]},
    )
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().url == "http://10.1.2.3/hook"


def test_changing_an_endpoint_to_a_forbidden_address_is_refused(client_as):
    from django.core.exceptions import ValidationError

    owner = client_as(StaffRole.OWNER)
    endpoint = services.webhook_endpoint_create(
        url="https://hooks.example/a", events=["customer.created"], actor=owner.user
    )
    with pytest.raises(ValidationError, match="169.254.169.254"):
        services.webhook_endpoint_update(
            endpoint=endpoint,
            data={"url": "http://169.254.169.254/"},
            fields=["url"],
            actor=owner.user,
        )
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example/a"
