"""The API's walls, route by route: every console API route for anonymous callers, every
staff role's token, customer users' tokens and other tenants' ids; every portal API route for
every portal role, other companies (and their sub-accounts), console staff and other tenants."""

import json

import pytest
from django.db import connection
from django.test import Client

from accounts.models import StaffRole
from accounts.policies import ROLE_CAPABILITIES, portal_permissions
from accounts.tokens import api_token_create
from core.api.base import etag_of
from portal.models import PortalRole
from tests.factories import CustomerFactory, MembershipFactory, UserFactory

from .routes import CONSOLE_API_ROUTES, PORTAL_API_ROUTES, ApiRoute
from .test_matrix import build_objects
from .test_portal_matrix import ROLE_SETUPS, company_objects

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def token_client(user, host: str = HOST) -> Client:
    _, secret = api_token_create(user=user, name="matrix")
    return Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {secret}")


def call(client: Client, route: ApiRoute, objects: dict, etag_objects: dict | None = None):
    data = route.data(objects) if callable(route.data) else route.data
    extra = {}
    if route.etag_of:
        extra["HTTP_IF_MATCH"] = etag_of((etag_objects or objects)[route.etag_of])
    if route.method in ("get", "delete"):
        return getattr(client, route.method)(route.path(objects), **extra)
    body = json.dumps(data if data is not None else {})
    return getattr(client, route.method)(
        route.path(objects), body, content_type="application/json", **extra
    )


@pytest.fixture
def objects(in_tenant) -> dict:
    return build_objects()


# --- Console API -------------------------------------------------------------------------


@pytest.mark.parametrize("route", CONSOLE_API_ROUTES, ids=str)
def test_anonymous_gets_401(route, objects, tenant_client):
    response = call(tenant_client, route, objects)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("role", StaffRole.values)
@pytest.mark.parametrize("route", CONSOLE_API_ROUTES, ids=str)
def test_each_roles_token_gets_exactly_what_its_capabilities_allow(route, role, objects):
    response = call(token_client(UserFactory(role=role)), route, objects)
    if route.need in ROLE_CAPABILITIES[role]:
        assert 200 <= response.status_code < 300, response.content[:500]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("route", CONSOLE_API_ROUTES, ids=str)
def test_customer_admins_tokens_never_reach_a_console_endpoint(route, objects):
    admin = MembershipFactory(customer=objects["customer"], role=PortalRole.ADMIN)
    assert call(token_client(admin.user), route, objects).status_code == 403


@pytest.mark.parametrize("route", CONSOLE_API_ROUTES, ids=str)
def test_a_token_of_another_tenant_is_401(route, objects, other_tenant):
    connection.set_tenant(other_tenant)
    intruder = token_client(UserFactory(role=StaffRole.OWNER))
    assert call(intruder, route, objects).status_code == 401


def is_object_route(route: ApiRoute) -> bool:
    """``customer``, ``portal-user/role``… (not ``customers``, ``customers/bulk``)."""
    return not route.label.split("/")[0].endswith("s")


@pytest.mark.parametrize("route", [r for r in CONSOLE_API_ROUTES if is_object_route(r)], ids=str)
def test_objects_of_another_tenant_are_404(route, objects, tenant, other_tenant):
    connection.set_tenant(other_tenant)
    foreign = build_objects(pk_base=900_000)
    connection.set_tenant(tenant)
    owner = token_client(UserFactory(role=StaffRole.OWNER))
    response = call(owner, route, foreign, etag_objects=objects if route.etag_of else None)
    assert response.status_code == 404


# --- Portal API --------------------------------------------------------------------------


@pytest.fixture
def acme(in_tenant) -> dict:
    return company_objects("Acme")


def member_token(company, role: str, objects: dict) -> Client:
    setup = dict(ROLE_SETUPS[role])
    if setup.get("permission_set") == "matrix":
        setup["permission_set"] = objects["permission_set"]
    membership = MembershipFactory(customer=company, role=role, **setup)
    client = token_client(membership.user)
    client.user = membership.user
    return client


@pytest.mark.parametrize("route", PORTAL_API_ROUTES, ids=str)
def test_anonymous_gets_no_portal_data(route, acme, tenant_client):
    assert call(tenant_client, route, acme).status_code == 401


@pytest.mark.parametrize("role", list(ROLE_SETUPS))
@pytest.mark.parametrize("route", PORTAL_API_ROUTES, ids=str)
def test_each_portal_roles_token_gets_what_its_permissions_allow(route, role, acme):
    client = member_token(acme["company"], role, acme)
    response = call(client, route, acme)
    if route.need in portal_permissions(client.user):
        assert 200 <= response.status_code < 300, response.content[:300]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("route", PORTAL_API_ROUTES, ids=str)
def test_another_companys_data_is_404_even_for_its_admin(route, acme):
    admin = member_token(acme["company"], PortalRole.ADMIN, acme)
    globex = company_objects("Globex")
    assert call(admin, route, globex).status_code == 404


@pytest.mark.parametrize("route", PORTAL_API_ROUTES, ids=str)
def test_another_companys_sub_account_is_404(route, acme):
    admin = member_token(acme["company"], PortalRole.ADMIN, acme)
    globex_child = company_objects("GlobexChild")
    globex_child["company"].parent = CustomerFactory(name="Globex")
    globex_child["company"].save()
    assert call(admin, route, globex_child).status_code == 404


@pytest.mark.parametrize("route", PORTAL_API_ROUTES, ids=str)
def test_your_own_sub_account_is_reachable(route, acme):
    admin = member_token(acme["company"], PortalRole.ADMIN, acme)
    child = company_objects("AcmeChild")
    child["company"].parent = acme["company"]
    child["company"].save()
    assert 200 <= call(admin, route, child).status_code < 300


@pytest.mark.parametrize("route", [r for r in PORTAL_API_ROUTES if is_object_route(r)], ids=str)
def test_another_companys_object_inside_your_own_url_is_404(route, acme):
    admin = member_token(acme["company"], PortalRole.ADMIN, acme)
    globex = company_objects("Globex")
    mixed = {**globex, "company": acme["company"]}
    assert call(admin, route, mixed).status_code == 404


@pytest.mark.parametrize("route", PORTAL_API_ROUTES, ids=str)
def test_console_staff_tokens_get_403_on_the_portal_api(route, acme):
    owner = token_client(UserFactory(role=StaffRole.OWNER))
    assert call(owner, route, acme).status_code == 403


@pytest.mark.parametrize("route", PORTAL_API_ROUTES, ids=str)
def test_a_customer_admins_token_of_another_tenant_is_401(route, acme, tenant, other_tenant):
    connection.set_tenant(other_tenant)
    foreign = company_objects("Beta Co")
    intruder = token_client(MembershipFactory(customer=foreign["company"], role="admin").user)
    connection.set_tenant(tenant)
    assert call(intruder, route, acme).status_code == 401
