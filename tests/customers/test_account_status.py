"""The company's account status (issue #15): one state machine, a console action and an API
action per transition, admins only; Inactive signs the company's users out on their next
request and revokes their tokens, Suspended confines them to the reason and their invoices;
a transition not allowed is refused with nothing written; restoring fields from history never
touches the account status; the relationship status is a different thing, labelled so."""

import json

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, StaffRole
from accounts.tokens import api_token_create
from customers import services
from customers.account_status import (
    account_deactivate,
    account_reactivate,
    account_status_of,
    account_suspend,
)
from customers.services import restorable_fields
from tests.factories import CustomerFactory, MembershipFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def company(in_tenant):
    return CustomerFactory(name="Acme Robotics")


def action_url(company, action):
    return reverse(f"customers:customer_account_{action}", args=[company.pk])


def token_client(user):
    _, secret = api_token_create(user=user, name="integration")
    return Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_admin_deactivates_and_the_signed_in_user_is_out_on_the_next_request(
    company, client_as, portal_client, django_capture_on_commit_callbacks
):
    user = portal_client(company, "admin", user__email="boss@acme.example")
    overview = reverse("portal:overview", args=[company.pk])
    assert user.get(overview).status_code == 200
    api = token_client(user.user)
    tokens = f"{API}/portal/companies/{company.pk}/users/"
    assert api.get(tokens).status_code == 200
    admin = client_as(StaffRole.ADMIN)
    mail.outbox = []

    assert "Deactivate" in admin.get(action_url(company, "deactivate")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(action_url(company, "deactivate"), {"reason": "Contract ended"})
    assert response.status_code == 302

    out = user.get(overview)  # the next click
    assert out.status_code == 403 and "deactivated" in out.content.decode()
    assert "_auth_user_id" not in user.session
    assert user.get(overview).status_code == 302  # to the sign-in page
    assert api.get(tokens).status_code == 401  # revoked
    assert not ApiToken.objects.filter(user=user.user, revoked_at__isnull=True).exists()

    company.refresh_from_db()
    assert account_status_of(company) == "inactive"
    record = company.history.order_by("-history_id").first()
    assert record.history_user == admin.user
    assert record.history_change_reason == "Account deactivated: Contract ended"
    (message,) = mail.outbox
    assert message.to == ["boss@acme.example"] and "deactivated" in message.subject
    assert "Contract ended" in message.body


def test_suspended_users_see_the_reason_and_their_invoices_and_the_api_waits(
    company, client_as, portal_client
):
    user = portal_client(company, "admin")
    api = token_client(user.user)
    tokens = f"{API}/portal/companies/{company.pk}/users/"
    admin = client_as(StaffRole.ADMIN)

    refused = admin.post(action_url(company, "suspend"), {"reason": "  "})
    assert refused.status_code == 302
    assert "Say why" in " ".join(str(m) for m in get_messages(refused.wsgi_request))
    company.refresh_from_db()
    assert company.portal_access == "active"

    admin.post(action_url(company, "suspend"), {"reason": "Terms of service review"})
    assert user.get(reverse("portal:overview", args=[company.pk]))["Location"] == reverse(
        "portal:suspended"
    )
    page = user.get(reverse("portal:suspended")).content.decode()
    assert "Terms of service review" in page
    assert user.get(reverse("portal:billing", args=[company.pk])).status_code == 200
    assert api.get(tokens).status_code == 403  # refused while suspended, not revoked

    admin.post(action_url(company, "reactivate"), {})
    assert user.get(reverse("portal:overview", args=[company.pk])).status_code == 200
    assert api.get(tokens).status_code == 200


def test_a_transition_not_allowed_is_refused_with_a_message_and_nothing_written(company, client_as):
    account_deactivate(customer_id=company.pk, actor=None)
    company.refresh_from_db()
    before = (company.version, company.history.count())
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(action_url(company, "suspend"), {"reason": "Late"})
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "account is inactive: it cannot become suspended" in text
    with pytest.raises(ValidationError):
        account_deactivate(customer_id=company.pk, actor=None)  # inactive already
    company.refresh_from_db()
    assert (company.version, company.history.count()) == before
    assert company.portal_access == "deactivated"

    services.customer_soft_delete(customer_id=company.pk, actor=None)
    with pytest.raises(ValidationError, match="deleted"):
        account_reactivate(customer_id=company.pk, actor=None)


@pytest.mark.parametrize("role", [StaffRole.STAFF, StaffRole.VIEWER])
def test_only_admins_change_the_account_status(company, client_as, role):
    client = client_as(role)
    assert client.post(action_url(company, "deactivate")).status_code == 403
    company.refresh_from_db()
    assert company.portal_access == "active"


def test_the_api_changes_the_account_status_for_admins_only(company, api_as):
    url = f"{API}/customers/{company.pk}/account/"

    def post(client, data):
        return client.post(url, json.dumps(data), content_type="application/json")

    assert post(api_as(StaffRole.STAFF), {"action": "deactivate"}).status_code == 403
    admin = api_as(StaffRole.ADMIN)
    assert post(admin, {"action": "suspend"}).status_code == 400  # a reason is required
    assert post(admin, {"action": "pause"}).status_code == 400
    response = post(admin, {"action": "suspend", "reason": "Chargeback"})
    assert response.status_code == 200
    body = response.json()
    assert (body["account_status"], body["account_status_reason"]) == ("suspended", "Chargeback")
    assert body["status"] == "active"  # the relationship is another field
    response = post(admin, {"action": "suspend", "reason": "Again"})
    assert response.status_code == 400 and "cannot become suspended" in json.dumps(response.json())
    assert post(admin, {"action": "reactivate"}).json()["account_status"] == "active"
    assert post(admin, {"action": "delete"}).json()["account_status"] == "deleted"


def test_restoring_fields_from_history_never_touches_the_account_status(company, client_as):
    first = company.history.order_by("history_id").first()
    account_suspend(customer_id=company.pk, reason="Unpaid", actor=None)
    assert not {"portal_access", "account_status_reason", "deleted_at"} & set(restorable_fields())
    admin = client_as(StaffRole.ADMIN)
    url = reverse("customers:customer_restore_fields", args=[company.pk, first.history_id])
    assert "Account status" not in admin.get(url).content.decode()
    assert admin.post(url, {"fields": ["portal_access"]}).status_code == 200  # refused
    company.refresh_from_db()
    assert company.portal_access == "suspended"


def test_relationship_inactive_is_not_the_account_and_both_are_labelled(company, client_as):
    company.status = "inactive"
    company.save()
    member = MembershipFactory(customer=company, role="admin")
    page = client_as(StaffRole.ADMIN).get(company.get_absolute_url()).content.decode()
    assert "Relationship: Inactive" in page and "Account: Active" in page
    portal = Client(HTTP_HOST="alpha.localhost")
    portal.force_login(member.user)
    assert portal.get(reverse("portal:overview", args=[company.pk])).status_code == 200


def test_a_reason_is_kept_as_written_and_too_long_is_refused_not_cut(company):
    with pytest.raises(ValidationError, match="300 characters"):
        account_suspend(customer_id=company.pk, reason="x" * 301, actor=None)
    company.refresh_from_db()
    assert company.portal_access == "active"
    account_suspend(customer_id=company.pk, reason=" Late\u000bagain ", actor=None)
    company.refresh_from_db()
    assert company.account_status_reason == "Late\u000bagain"
