"""The owner's webhook endpoints change through webhooks.services; each change is in the
endpoint's history with who made it and why, and the signing secret never is."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import StaffRole
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "https://hooks.example/clientele"


def detail(endpoint):
    return reverse("webhooks:endpoint_detail", args=[endpoint.pk])


def newest(endpoint):
    return WebhookEndpoint.history.filter(id=endpoint.pk).order_by("-history_id").first()


@pytest.fixture
def owner(client_as):
    return client_as(StaffRole.OWNER)


@pytest.fixture
def endpoint(owner):
    return services.webhook_endpoint_create(
        url=URL, events=["customer.created"], actor=owner.user, description="CRM"
    )


def test_adding_an_endpoint_records_who_added_it(owner):
    response = owner.post(
        reverse("webhooks:endpoint_list"),
        {"url": URL, "description": "CRM sync", "events": ["customer.updated", "customer.created"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == detail(endpoint)
    assert endpoint.events == ["customer.created", "customer.updated"]
    assert endpoint.secret.startswith("whsec_")
    record = endpoint.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        owner.user,
        "Added",
    )


def test_the_secret_never_goes_into_history(owner, endpoint):
    historical = {field.name for field in WebhookEndpoint.history.model._meta.fields}
    assert "secret" not in historical and "url" in historical


def test_rotating_the_secret_is_recorded_without_the_secret(owner, endpoint):
    old_secret = endpoint.secret
    owner.post(detail(endpoint), {"action": "rotate"})
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.secret.startswith("whsec_")
    record = newest(endpoint)
    assert (record.history_user, record.history_change_reason) == (
        owner.user,
        "Signing secret rotated",
    )


def test_pausing_and_resuming_are_recorded_once_each(owner, endpoint):
    owner.post(detail(endpoint), {"action": "pause"})
    owner.post(detail(endpoint), {"action": "pause"})  # already paused: nothing to record
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    reasons = list(
        endpoint.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["Added", "Paused"]
    response = owner.post(detail(endpoint), {"action": "resume"}, follow=True)
    assert "Endpoint resumed." in response.content.decode()
    assert newest(endpoint).history_change_reason == "Resumed"
    assert newest(endpoint).history_user == owner.user


def test_updating_only_the_fields_named(owner, endpoint):
    services.webhook_endpoint_update(
        endpoint=endpoint,
        data={"description": "Billing sync", "url": "https://elsewhere.example"},
        fields=["description"],
        actor=owner.user,
    )
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.url) == ("Billing sync", URL)
    assert newest(endpoint).history_change_reason == "Changed"
    records = endpoint.history.count()
    services.webhook_endpoint_update(
        endpoint=endpoint, data={"description": "Billing sync"}, fields=["description"], actor=None
    )
    assert endpoint.history.count() == records  # nothing changed, nothing written
    with pytest.raises(ValueError, match="secret"):
        services.webhook_endpoint_update(
            endpoint=endpoint, data={"secret": "whsec_mine"}, fields=["secret"], actor=None
        )


def test_unknown_events_are_refused_and_nothing_is_written(owner, endpoint):
    with pytest.raises(ValidationError) as refused:
        services.webhook_endpoint_update(
            endpoint=endpoint,
            data={"events": ["customer.exploded"]},
            fields=["events"],
            actor=owner.user,
        )
    assert "events" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.webhook_endpoint_create(url=URL, events=[], actor=owner.user)
    endpoint.refresh_from_db()
    assert endpoint.events == ["customer.created"]
    assert WebhookEndpoint.objects.count() == 1


def test_removing_an_endpoint_keeps_who_removed_it(owner, endpoint):
    WebhookDelivery.objects.create(endpoint=endpoint, event="customer.created", payload={})
    response = owner.post(detail(endpoint), {"action": "delete"})
    assert response["Location"] == reverse("webhooks:endpoint_list")
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    record = newest(endpoint)
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-",
        owner.user,
        "Removed",
    )


def test_only_the_owner_manages_endpoints(client_as, endpoint):
    admin = client_as(StaffRole.ADMIN)
    with pytest.raises(PermissionDenied):
        services.webhook_endpoint_set_enabled(endpoint=endpoint, enabled=False, actor=admin.user)
    with pytest.raises(PermissionDenied):
        services.webhook_endpoint_delete(endpoint=endpoint, actor=admin.user)
    assert admin.post(detail(endpoint), {"action": "delete"}).status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.is_active
