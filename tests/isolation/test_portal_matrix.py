"""The portal's walls: every portal route for every portal role, against another company,
another company's sub-account and another tenant; and no console route for customer users."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import StaffRole
from accounts.policies import portal_permissions
from portal.models import JoinRequest, PermissionSet, PortalRole
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    LocationFactory,
    MembershipFactory,
    UserFactory,
)

from .routes import CONSOLE_ROUTES, PORTAL_ROUTES, PortalRoute

pytestmark = pytest.mark.django_db

SELF_SERVICE = {"account_change_password", "account_email", "mfa_index"}
ROLE_SETUPS = {
    PortalRole.ADMIN: {},
    PortalRole.FULL: {},
    PortalRole.READ_ONLY: {},
    PortalRole.LIMITED: {"sections": ["locations", "users"]},
    PortalRole.CUSTOM: {"permission_set": "matrix"},
}


def company_objects(name: str, pk_base: int = 0) -> dict:
    def pk(n):
        return {"pk": pk_base + n} if pk_base else {}

    from datetime import date

    from billing.models import Invoice

    company = CustomerFactory(name=name, **pk(1))
    location = LocationFactory(customer=company, **pk(4))
    return {
        "company": company,
        "invoice": Invoice.objects.create(
            customer=company,
            customer_name=name,
            number=f"P-{name}-{pk_base}",
            status="issued",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 31),
            issue_date=date(2026, 2, 1),
            due_date=date(2026, 2, 15),
            total=100,
            amount_paid=10,
            **pk(6),
        ),
        "member": MembershipFactory(customer=company, role="read_only", **pk(2)),
        "permission_set": PermissionSet.objects.create(
            customer=company,
            name=f"Matrix {name}",
            permissions=["view_assets", "manage_settings"],
            **pk(3),
        ),
        "location": location,
        "asset": AssetFactory(location=location, **pk(6)),
        "join_request": JoinRequest.objects.create(
            customer=company,
            email=f"join@{name.lower()}.example",
            first_name="J",
            last_name="R",
            **pk(5),
        ),
    }


def url_of(route: PortalRoute, objects: dict) -> str:
    kwargs = {"cid": objects["company"].pk, **(route.kwargs(objects) if route.kwargs else {})}
    return reverse(route.name, kwargs=kwargs)


def call(client: Client, route: PortalRoute, url: str, **extra):
    return getattr(client, route.method)(url, route.data, **extra)


@pytest.fixture
def acme(in_tenant) -> dict:
    return company_objects("Acme")


def sign_in_member(company, role: str, objects: dict) -> Client:
    setup = dict(ROLE_SETUPS[role])
    if setup.get("permission_set") == "matrix":
        setup["permission_set"] = objects["permission_set"]
    membership = MembershipFactory(customer=company, role=role, **setup)
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(membership.user)
    client.user = membership.user
    return client


@pytest.mark.parametrize("route", PORTAL_ROUTES, ids=str)
def test_anonymous_is_sent_to_sign_in(route, acme, tenant_client):
    response = call(tenant_client, route, url_of(route, acme))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", list(ROLE_SETUPS))
@pytest.mark.parametrize("route", PORTAL_ROUTES, ids=str)
def test_each_portal_role_gets_what_its_permissions_allow(route, role, acme):
    client = sign_in_member(acme["company"], role, acme)
    allowed = not route.permission or route.permission in portal_permissions(client.user)
    response = call(client, route, url_of(route, acme))
    if allowed:
        assert response.status_code in (200, 302), response.content[:300]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("route", PORTAL_ROUTES, ids=str)
def test_another_companys_objects_are_404_even_for_its_admin(route, acme):
    admin = sign_in_member(acme["company"], PortalRole.ADMIN, acme)
    globex = company_objects("Globex")
    assert call(admin, route, url_of(route, globex)).status_code == 404


@pytest.mark.parametrize("route", PORTAL_ROUTES, ids=str)
def test_another_companys_sub_account_is_404(route, acme):
    admin = sign_in_member(acme["company"], PortalRole.ADMIN, acme)
    globex = CustomerFactory(name="Globex")
    globex_child = company_objects("GlobexChild")
    globex_child["company"].parent = globex
    globex_child["company"].save()
    assert call(admin, route, url_of(route, globex_child)).status_code == 404


@pytest.mark.parametrize("route", [r for r in PORTAL_ROUTES if r.kwargs], ids=str)
def test_objects_of_another_company_inside_your_own_url_are_404(route, acme):
    """Your own company in the URL, another company's object id after it."""
    admin = sign_in_member(acme["company"], PortalRole.ADMIN, acme)
    globex = company_objects("Globex")
    mixed = {**globex, "company": acme["company"]}
    assert call(admin, route, url_of(route, mixed)).status_code == 404


@pytest.mark.parametrize("route", PORTAL_ROUTES, ids=str)
def test_a_session_from_another_tenant_is_worth_nothing(route, acme, other_tenant):
    connection.set_tenant(other_tenant)
    foreign = company_objects("Beta Co")
    intruder = MembershipFactory(customer=foreign["company"], role="admin")
    beta = Client(HTTP_HOST="beta.localhost")
    beta.force_login(intruder.user)
    alpha = Client(HTTP_HOST="alpha.localhost")
    alpha.cookies["sessionid"] = beta.cookies["sessionid"].value
    response = call(alpha, route, url_of(route, acme))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("route", PORTAL_ROUTES, ids=str)
def test_console_staff_get_403_in_the_portal(route, acme):
    owner = UserFactory(role=StaffRole.OWNER)
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(owner)
    assert call(client, route, url_of(route, acme)).status_code == 403


@pytest.mark.parametrize(
    "route", [r for r in CONSOLE_ROUTES if r.name not in SELF_SERVICE], ids=str
)
def test_customer_admins_never_reach_a_console_route(route, acme):
    from tests.isolation.test_matrix import build_objects

    objects = build_objects()
    admin = sign_in_member(acme["company"], PortalRole.ADMIN, acme)
    url = reverse(route.name, kwargs=route.kwargs(objects) if route.kwargs else None)
    response = getattr(admin, route.method)(url, route.data)
    if route.name == "core:dashboard":
        assert response["Location"] == "/portal/"
    else:
        assert response.status_code == 403
