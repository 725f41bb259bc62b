import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from accounts.models import StaffRole
from customers import services as customer_services
from tests.factories import CustomerFactory
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def verify(secret: str, headers: dict, body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in headers["X-Clientele-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_editing_a_customer_sends_a_signed_event_with_the_changes(
    in_tenant, receiver, django_capture_on_commit_callbacks
):
    hook = receiver()
    endpoint = WebhookEndpoint.objects.create(url=hook.url, events=["customer.updated"])
    customer = CustomerFactory(name="Acme", industry="Retail")
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.customer_update(
            customer_id=customer.pk, data={"industry": "Finance"}, expected_version=1, actor=None
        )
    ((headers, body),) = hook.received
    assert verify(endpoint.secret, headers, body)
    assert not verify("whsec_wrong", headers, body)
    event = json.loads(body)
    assert event["event"] == "customer.updated" and event["tenant"] == "alpha"
    assert event["object"]["id"] == customer.pk
    assert {"field": "industry", "old": "Retail", "new": "Finance"} in event["changes"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("succeeded", 200, 1)


def test_bulk_changes_archives_and_purges_send_each_objects_changes(
    in_tenant, receiver, django_capture_on_commit_callbacks
):
    from assets import services as asset_services
    from assets.models import Asset
    from locations import services as location_services
    from tests.factories import AssetFactory, LocationFactory

    hook = receiver()
    WebhookEndpoint.objects.create(url=hook.url, events=["asset.updated", "location.updated"])
    customer = CustomerFactory(name="Acme")
    old_site, new_site = LocationFactory(customer=customer), LocationFactory(customer=customer)
    assets = [AssetFactory(location=old_site, owner=customer) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        asset_services.assets_bulk_change(
            visible=Asset.objects.all(),
            asset_ids=[a.pk for a in assets],
            action="move",
            actor=None,
            location=new_site,
        )
        location_services.location_set_archived(location_id=old_site.pk, archived=True, actor=None)
    events = [json.loads(body) for _headers, body in hook.received]
    moves = [e for e in events if e["event"] == "asset.updated"]
    assert sorted(e["object"]["id"] for e in moves) == sorted(a.pk for a in assets)
    assert all(
        e["changes"] == [{"field": "location", "old": old_site.pk, "new": new_site.pk}]
        for e in moves
    )
    (archived,) = [e for e in events if e["event"] == "location.updated"]
    assert {"field": "is_archived", "old": False, "new": True} in archived["changes"]

    hook.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.customer_soft_delete(customer_id=customer.pk, actor=None)
        customer_services.customer_purge(customer_id=customer.pk, actor=None)
    owner_changes = [
        change
        for _headers, body in hook.received
        for change in json.loads(body)["changes"]
        if change["field"] == "owner"
    ]
    assert owner_changes == [{"field": "owner", "old": customer.pk, "new": None}] * 3


def test_phone_numbers_and_countries_travel_as_text(in_tenant):
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hooks", events=["customer.updated"])
    customer = CustomerFactory(name="Acme", company_phone="+12025550177", country="US")
    customer_services.customer_update(
        customer_id=customer.pk,
        data={"company_phone": "+12025550188", "country": "DE"},
        expected_version=1,
        actor=None,
    )
    changes = WebhookDelivery.objects.get().payload["changes"]
    assert {"field": "company_phone", "old": "+12025550177", "new": "+12025550188"} in changes
    assert {"field": "country", "old": "US", "new": "DE"} in changes


def test_only_subscribed_events_are_sent(in_tenant, receiver, django_capture_on_commit_callbacks):
    hook = receiver()
    WebhookEndpoint.objects.create(url=hook.url, events=["customer.deleted"])
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.customer_create(actor=None, name="Quiet")
    assert hook.received == [] and not WebhookDelivery.objects.exists()


def test_a_failing_endpoint_is_logged_and_retried(
    in_tenant, receiver, django_capture_on_commit_callbacks
):
    from webhooks.services import DeliveryFailed

    hook = receiver(status=500)
    WebhookEndpoint.objects.create(url=hook.url, events=["customer.created"])
    with pytest.raises(DeliveryFailed), django_capture_on_commit_callbacks(execute=True):
        customer_services.customer_create(actor=None, name="Unlucky")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.error) == ("failed", 500, "HTTP 500")


def test_an_unreachable_endpoint_is_logged(
    in_tenant, loopback_allowed, django_capture_on_commit_callbacks
):
    from webhooks.services import DeliveryFailed

    WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/nothing-listens", events=["customer.created"]
    )
    with pytest.raises(DeliveryFailed), django_capture_on_commit_callbacks(execute=True):
        customer_services.customer_create(actor=None, name="Lonely")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.response_code is None and delivery.error


def test_owner_reads_the_log_and_replays(client_as, receiver, django_capture_on_commit_callbacks):
    owner = client_as(StaffRole.OWNER)
    hook = receiver()
    endpoint = WebhookEndpoint.objects.create(url=hook.url, events=["customer.created"])
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="customer.created",
        payload={"event": "customer.created"},
        status="failed",
    )
    page = owner.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk])).content.decode()
    assert "customer.created" in page and endpoint.secret in page
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            reverse("webhooks:endpoint_detail", args=[endpoint.pk]),
            {"action": "replay", "delivery": delivery.pk},
        )
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and len(hook.received) == 1


def test_adding_an_endpoint_validates_url_and_events(client_as):
    owner = client_as(StaffRole.OWNER)
    response = owner.post(
        reverse("webhooks:endpoint_list"), {"url": "not a url", "events": ["customer.exploded"]}
    )
    content = response.content.decode()
    assert "Enter a valid URL" in content and "valid choice" in content
    assert not WebhookEndpoint.objects.exists()
