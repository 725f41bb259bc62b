"""Ids posted in forms that are not numbers (or not yours) are a 404, never a 500."""

from accounts.models import StaffRole
from accounts.tokens import api_token_create
from webhooks.models import WebhookEndpoint


def test_revoking_a_token_by_a_bad_or_foreign_id_is_404(client_as, make_user):
    client = client_as(StaffRole.STAFF)
    other = make_user(StaffRole.STAFF)
    foreign, _ = api_token_create(user=other, name="theirs")
    for value in ("abc", "", "1.5", str(foreign.pk)):
        response = client.post("/settings/api-tokens/", {"revoke": value})
        assert response.status_code == 404, value
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_replaying_a_delivery_by_a_bad_id_is_404(client_as, in_tenant):
    client = client_as(StaffRole.OWNER)
    endpoint = WebhookEndpoint.objects.create(url="https://hooks.example/x", events=[])
    for value in ("abc", "", "999999"):
        response = client.post(
            f"/settings/webhooks/{endpoint.pk}/", {"action": "replay", "delivery": value}
        )
        assert response.status_code == 404, value
