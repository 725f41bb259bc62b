"""Signed-in pages, exports and API answers are never cached; browser features stay off."""

from accounts.models import StaffRole


def test_signed_in_pages_exports_and_api_answers_are_not_cacheable(client_as, api_as):
    client = client_as(StaffRole.STAFF)
    for url in ("/", "/customers/", "/customers/?export=csv", "/settings/team/"):
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response.headers["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url
    api = api_as(StaffRole.STAFF)
    assert "no-store" in api.get("/api/v1/customers/").headers["Cache-Control"]


def test_every_answer_turns_unused_browser_features_off(tenant_client):
    response = tenant_client.get("/accounts/login/")
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
