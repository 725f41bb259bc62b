import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import StaffRole
from accounts.policies import ROLE_CAPABILITIES
from tests.factories import UserFactory

from .routes import CONSOLE_ROUTES, Route

pytestmark = pytest.mark.django_db

SELF_SERVICE = {"account_change_password", "account_email", "mfa_index"}


@pytest.fixture
def objects(make_user) -> dict:
    return {"member": make_user(role=StaffRole.VIEWER, email="member@alpha.example")}


def url_of(route: Route, objects: dict) -> str:
    return reverse(route.name, kwargs=route.kwargs(objects) if route.kwargs else None)


def request(client: Client, route: Route, url: str, **extra):
    return getattr(client, route.method)(url, route.data, **extra)


@pytest.mark.parametrize("route", CONSOLE_ROUTES, ids=str)
def test_anonymous_is_sent_to_sign_in(route, objects, tenant_client):
    response = request(tenant_client, route, url_of(route, objects), follow=True)
    assert response.redirect_chain
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


@pytest.mark.parametrize("role", StaffRole.values)
@pytest.mark.parametrize("route", CONSOLE_ROUTES, ids=str)
def test_each_role_gets_exactly_what_its_capabilities_allow(route, role, objects, client_as):
    client = client_as(role)
    response = request(client, route, url_of(route, objects))
    if route.capability in ROLE_CAPABILITIES[role]:
        assert response.status_code in (200, 302), response.content[:500]
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("route", CONSOLE_ROUTES, ids=str)
def test_a_session_from_another_tenant_is_worth_nothing(route, objects, other_tenant):
    connection.set_tenant(other_tenant)
    intruder = UserFactory(role=StaffRole.OWNER)
    beta = Client(HTTP_HOST="beta.localhost")
    beta.force_login(intruder)
    stolen_cookie = beta.cookies["sessionid"].value

    alpha = Client(HTTP_HOST="alpha.localhost")
    alpha.cookies["sessionid"] = stolen_cookie
    response = request(alpha, route, url_of(route, objects), follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_staff_update_of_a_user_that_is_not_staff_here_is_404(client_as, make_user):
    client = client_as(StaffRole.OWNER)
    response = client.get(reverse("core:staff_update", kwargs={"pk": 999999}))
    assert response.status_code == 404


def test_viewer_changes_nothing(client_as, tenant):
    client = client_as(StaffRole.VIEWER)
    client.post(
        reverse("core:settings"),
        {"name": "Hacked", "currency": "EUR", "timezone": "UTC", "soft_delete_grace_days": 1},
    )
    tenant.refresh_from_db()
    assert tenant.name == "Alpha Services"
