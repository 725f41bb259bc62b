import pytest
from django.core.cache import cache
from django.db import connection

pytestmark = pytest.mark.django_db


def test_public_host_serves_the_platform_landing_page(public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert b"Every customer, site and asset in one place" in response.content


def test_tenant_host_serves_the_console_behind_sign_in(tenant_client):
    response = tenant_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_tenant_host_with_port_is_routed(tenant):
    from django.test import Client

    response = Client(HTTP_HOST="alpha.localhost:8000").get("/accounts/login/")
    assert response.status_code == 200
    assert b"Alpha Services" in response.content


@pytest.mark.parametrize("host", ["nope.localhost", "tenant-template.localhost", "example.org"])
def test_unknown_host_gets_a_styled_404(host):
    from django.test import Client

    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code == 404
    assert b"There is no workspace at" in response.content
    assert b"<html" in response.content


def test_deactivated_tenant_is_unreachable_but_kept(tenant):
    from django.test import Client

    tenant.is_active = False
    tenant.save()
    response = Client(HTTP_HOST="alpha.localhost").get("/accounts/login/")
    assert response.status_code == 404
    connection.set_tenant(tenant)
    from accounts.models import User

    assert User.objects.filter(email="owner@alpha.example").exists()


def test_cache_keys_are_tenant_aware(tenant, other_tenant):
    connection.set_tenant(tenant)
    cache.set("greeting", "alpha only", 60)
    assert cache.get("greeting") == "alpha only"
    connection.set_tenant(other_tenant)
    assert cache.get("greeting") is None


def test_tenant_registry_is_not_in_the_tenant_admin(client_as):
    from accounts.models import StaffRole

    client = client_as(StaffRole.OWNER)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/tenants/tenant/").status_code == 404
