"""Billing over the REST API: same services, same roles, JSON errors."""

from datetime import date

import pytest

from accounts.models import StaffRole
from billing.models import Invoice, Payment, UsageRecord
from billing.services.invoicing import invoice_run
from tests.api.test_api import API, post_json

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def test_invoices_are_listed_with_lines_and_filtered(api_as, subscribed):
    invoice_run(month=MONTH, actor=None)
    viewer = api_as(StaffRole.VIEWER)
    body = viewer.get(f"{API}/invoices/", {"status": "issued"}).json()
    invoice = body["results"][0]
    assert invoice["customer"] == subscribed.pk and invoice["balance"] == "400.00"
    assert [line["kind"] for line in invoice["lines"]] == ["subscription", "seats"]
    assert viewer.get(f"{API}/invoices/", {"status": "paid"}).json()["results"] == []
    assert viewer.get(f"{API}/invoices/", {"status": "nonsense"}).status_code == 400


def test_payments_need_an_admin_token_and_obey_the_balance(api_as, subscribed):
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get()
    payment = {"invoice": invoice.pk, "amount": "150.00", "method": "bank_transfer"}
    payment["paid_on"] = date.today().isoformat()
    assert post_json(api_as(StaffRole.STAFF), f"{API}/payments/", payment).status_code == 403
    admin = api_as(StaffRole.ADMIN)
    assert post_json(admin, f"{API}/payments/", payment).status_code == 201
    euros = post_json(admin, f"{API}/payments/", {**payment, "currency": "EUR"})
    assert euros.status_code == 400 and "USD" in euros.json()["currency"][0]
    negative = post_json(admin, f"{API}/payments/", {**payment, "amount": "-1"})
    assert negative.status_code == 400
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid" and Payment.objects.count() == 1


def test_usage_is_recorded_by_staff_tokens_through_the_service(api_as, subscribed, metric):
    staff = api_as(StaffRole.STAFF)
    record = {"customer": subscribed.pk, "metric": "operations", "day": "2026-03-04"}
    response = post_json(staff, f"{API}/usage-records/", {**record, "quantity": "12.5"})
    assert response.status_code == 201, response.content
    post_json(staff, f"{API}/usage-records/", {**record, "quantity": "20"})
    usage = UsageRecord.objects.get()
    assert usage.quantity == 20 and usage.source == "api"
    future = post_json(
        staff, f"{API}/usage-records/", {**record, "day": "2099-01-01", "quantity": "1"}
    )
    assert future.status_code == 400
    assert (
        post_json(
            api_as(StaffRole.VIEWER), f"{API}/usage-records/", {**record, "quantity": "1"}
        ).status_code
        == 403
    )


def test_subscribing_through_the_api(api_as, plan):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    admin = api_as(StaffRole.ADMIN)
    data = {"customer": customer.pk, "plan": plan.pk, "seats": 3, "start_date": "2026-01-01"}
    response = post_json(admin, f"{API}/subscriptions/", data)
    assert response.status_code == 201 and response.json()["monthly_price"] == "360.00"
    again = post_json(admin, f"{API}/subscriptions/", data)
    assert again.status_code == 400
    subscription_id = response.json()["id"]
    assert admin.get(f"{API}/subscriptions/{subscription_id}/")["ETag"]


def test_inviting_through_the_api_respects_the_seats(api_as, plan):
    from portal.models import Membership
    from tests.factories import CustomerFactory, MembershipFactory, subscribe

    company = CustomerFactory()
    subscribe(company, plan, seats=1, start_date=date(2026, 1, 1))
    MembershipFactory(customer=company)
    invite = {
        "customer": company.pk,
        "email": "one-too-many@example.com",
        "first_name": "One",
        "last_name": "Toomany",
        "role": "read_only",
    }
    response = post_json(api_as(StaffRole.ADMIN), f"{API}/portal-users/", invite)
    assert response.status_code == 400 and "seat" in response.content.decode()
    assert Membership.objects.filter(customer=company).count() == 1
