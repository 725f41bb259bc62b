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


def build_objects(pk_base: int = 0) -> dict:
    """One of everything a route can point at, in the current schema. ``pk_base`` gives
    another tenant's objects ids that do not exist in alpha."""
    from customers.models import LinkedAccount
    from tests.factories import CustomerFactory

    def pk(n: int) -> dict:
        return {"pk": pk_base + n} if pk_base else {}

    customer = CustomerFactory(name="Matrix Customer", **pk(1))
    deleted = CustomerFactory(name="Matrix Deleted", deleted_at=customer.created_at, **pk(2))
    account = LinkedAccount.objects.create(
        customer=customer, provider="AWS", kind="account", external_id=f"matrix-{pk_base}", **pk(3)
    )
    from tests.factories import AssetFactory, LocationFactory, ProjectFactory

    location = LocationFactory(customer=customer, **pk(5))
    from tests.factories import MembershipFactory
    from webhooks.models import WebhookEndpoint

    billing = billing_objects(customer, pk_base)
    member = UserFactory(role=StaffRole.VIEWER, **pk(4))
    from tests.factories import ImportJobFactory

    return {
        **billing,
        "import_job": ImportJobFactory(created_by=member, **pk(13)),
        "portal_member": MembershipFactory(customer=customer, **pk(14)),
        # Has not followed the welcome email's link yet (it may be sent again).
        "portal_invitee": MembershipFactory(customer=customer, user__password=None, **pk(15)),
        "webhook": WebhookEndpoint.objects.create(
            url="http://127.0.0.1:9/hook", events=[], **pk(8)
        ),
        "location": location,
        "asset": AssetFactory(location=location, **pk(6)),
        "project": ProjectFactory(customer=customer, **pk(7)),
        "member": member,
        "customer": customer,
        "deleted_customer": deleted,
        "linked_account": account,
        "history": customer.history.first(),
    }


def billing_objects(customer, pk_base: int = 0) -> dict:
    """A plan, a subscription, an issued invoice with a payment and a draft."""
    from datetime import date

    from billing.models import Invoice, Payment, Subscription
    from tests.factories import PlanFactory

    def pk(n: int) -> dict:
        return {"pk": pk_base + n} if pk_base else {}

    plan = PlanFactory(**pk(9))
    invoice_fields = {"customer": customer, "customer_name": customer.name, "total": 100}
    invoice = Invoice.objects.create(
        **invoice_fields,
        **pk(11),
        number=f"MATRIX-{pk_base}",
        status="issued",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        issue_date=date(2026, 2, 1),
        due_date=date(2099, 1, 1),
        amount_paid=10,
    )
    Payment.objects.create(invoice=invoice, amount=10, method="cheque", paid_on=date(2026, 2, 2))
    return {
        "plan": plan,
        "subscription": Subscription.objects.create(
            customer=customer, plan=plan, seats=10, start_date=date(2026, 1, 1), **pk(10)
        ),
        "invoice": invoice,
        "draft": Invoice.objects.create(
            **invoice_fields,
            **pk(12),
            period_start=date(2025, 12, 1),
            period_end=date(2025, 12, 31),
        ),
    }


@pytest.fixture
def objects(in_tenant) -> dict:
    return build_objects()


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


OBJECT_ROUTES = [route for route in CONSOLE_ROUTES if route.kwargs and route.tenant_object]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_objects_of_another_tenant_are_404(route, objects, other_tenant, client_as):
    connection.set_tenant(other_tenant)
    foreign = build_objects(pk_base=900_000)
    owner = client_as(StaffRole.OWNER)
    response = request(owner, route, url_of(route, foreign))
    assert response.status_code == 404


def test_bulk_actions_ignore_nothing_silently_for_foreign_ids(objects, other_tenant, client_as):
    """Ids of another tenant's assets make the whole bulk request fail, changing nothing."""
    connection.set_tenant(other_tenant)
    foreign = build_objects(pk_base=900_000)
    owner = client_as(StaffRole.OWNER)
    response = owner.post(
        reverse("assets:asset_bulk"),
        {
            "action": "status",
            "status": "lost",
            "asset_ids": [objects["asset"].pk, foreign["asset"].pk],
        },
        follow=True,
    )
    assert "nothing was changed" in response.content.decode()
    objects["asset"].refresh_from_db()
    assert objects["asset"].status != "lost"


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
