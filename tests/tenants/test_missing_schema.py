"""A tenant whose schema is missing at request time (dropped, being restored or moved): a clear
page, no stack trace, and nothing read or written through the public schema's tables of the
same names (users, sessions)."""

from django.contrib.sessions.models import Session
from django.test import Client

from tenants.models import Domain, Tenant


def ghost_tenant() -> Tenant:
    ghost = Tenant(schema_name="ghost_works", slug="ghost-works", name="Ghost Works")
    ghost.auto_create_schema = False
    ghost.save()
    Domain.objects.create(domain="ghost-works.localhost", tenant=ghost, is_primary=True)
    return ghost


def test_a_tenant_without_its_schema_gets_a_503_page_and_nothing_is_written(db):
    ghost_tenant()
    sessions = Session.objects.count()  # the public schema's own table
    client = Client(HTTP_HOST="ghost-works.localhost")
    page = client.get("/accounts/login/")
    assert page.status_code == 503
    assert page["Retry-After"]
    text = page.content.decode()
    assert "Ghost Works is unavailable" in text and "Traceback" not in text
    login = client.post("/accounts/login/", {"login": "op@example.com", "password": "x"})
    assert login.status_code == 503
    api = client.get("/api/v1/customers/", HTTP_AUTHORIZATION="Bearer clt_x_y")
    assert api.status_code == 503
    assert Session.objects.count() == sessions


def test_a_tenant_with_its_schema_is_served_as_before(tenant, client_as):
    assert tenant.slug == "alpha"
    assert Client(HTTP_HOST="alpha.localhost").get("/accounts/login/").status_code == 200
