"""Dunning changes a subscription's status through one service, in its history with a
reason, and a run that finds nothing new to change writes nothing; billing settings are
saved through a service that leaves the invoice counter alone."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from billing.models import BillingSettings, Invoice, Subscription, SubscriptionStatus
from billing.services.dunning import mark_overdue, suspend_overdue_customers
from billing.services.invoicing import invoice_run
from billing.services.payments import payment_record
from billing.services.settings import billing_settings_update
from billing.services.subscriptions import subscription_set_status

from .conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(subscribed):
    """The subscribed customer's March invoice, overdue since the day after it was due."""
    invoice_run(month=MONTH, actor=None, notify=False)
    invoice = Invoice.objects.get(customer=subscribed)
    mark_overdue(today=invoice.due_date + timedelta(days=1), notify=False)
    return invoice


def newest(subscription):
    return subscription.history.order_by("-history_date", "-history_id").first()


def test_suspension_marks_the_subscription_past_due_in_its_history_once(overdue, subscribed):
    subscription = Subscription.objects.get(customer=subscribed)
    before = subscription.history.count()
    assert suspend_overdue_customers(today=overdue.due_date + timedelta(days=30)) == 1

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAST_DUE
    record = newest(subscription)
    assert record.status == SubscriptionStatus.PAST_DUE
    assert record.history_change_reason.startswith(
        "Past due: Invoices more than 30 days overdue are unpaid."
    )
    assert record.history_user is None  # the nightly job
    assert subscription.history.count() == before + 1

    # The next night finds the customer suspended already: nothing to do.
    assert suspend_overdue_customers(today=overdue.due_date + timedelta(days=31)) == 0
    # Staff let the customer back into the portal while the invoice stays overdue: the run
    # suspends the portal again, but the subscription is past due already and gets no record.
    subscribed.portal_access = "active"
    subscribed.save()
    assert suspend_overdue_customers(today=overdue.due_date + timedelta(days=32)) == 1
    subscribed.refresh_from_db()
    assert subscribed.portal_access == "suspended"
    assert subscription.history.count() == before + 1


def test_paying_the_overdue_balance_makes_it_active_again_on_record(overdue, subscribed, make_user):
    suspend_overdue_customers(today=overdue.due_date + timedelta(days=30))
    clerk = make_user(role=StaffRole.ADMIN)
    payment_record(
        invoice_id=overdue.pk,
        amount=overdue.balance,
        method="bank_transfer",
        paid_on=timezone.localdate(),
        actor=clerk,
    )
    subscription = Subscription.objects.get(customer=subscribed)
    assert subscription.status == SubscriptionStatus.ACTIVE
    record = newest(subscription)
    assert record.status == SubscriptionStatus.ACTIVE
    assert record.history_change_reason == "Active again: the overdue balance is paid"
    assert record.history_user == clerk


def test_setting_a_status_writes_only_a_real_change_from_an_expected_status(subscribed):
    subscription = Subscription.objects.get(customer=subscribed)
    before = subscription.history.count()

    same = subscription_set_status(
        subscription=subscription, status=SubscriptionStatus.ACTIVE, reason="No change"
    )
    assert same.status == SubscriptionStatus.ACTIVE
    not_from_here = subscription_set_status(
        subscription=subscription,
        status=SubscriptionStatus.ACTIVE,
        reason="Only a past-due one comes back",
        only_from=[SubscriptionStatus.PAST_DUE],
    )
    assert not_from_here.status == SubscriptionStatus.ACTIVE
    assert subscription.history.count() == before

    with pytest.raises(ValidationError):
        subscription_set_status(subscription=subscription, status="paused", reason="No such")

    changed = subscription_set_status(
        subscription=subscription, status=SubscriptionStatus.PAST_DUE, reason="By hand"
    )
    assert changed.status == SubscriptionStatus.PAST_DUE
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.PAST_DUE
    assert subscription.history.count() == before + 1
    assert newest(subscription).history_change_reason == "By hand"


# --- Billing settings ------------------------------------------------------------------------


def test_saving_billing_settings_never_writes_back_a_stale_invoice_counter(in_tenant):
    stale = BillingSettings.current()
    BillingSettings.objects.filter(pk=stale.pk).update(next_invoice_number=42)  # a run issued

    saved = billing_settings_update(
        settings=stale,
        data={"tax_rate": Decimal("7.50"), "payment_terms_days": 30},
        fields=["tax_rate", "payment_terms_days"],
        actor=None,
    )
    fresh = BillingSettings.objects.get(pk=stale.pk)
    assert (fresh.tax_rate, fresh.payment_terms_days) == (Decimal("7.50"), 30)
    assert fresh.next_invoice_number == saved.next_invoice_number == 42

    with pytest.raises(ValidationError):
        billing_settings_update(
            settings=fresh, data={"next_invoice_number": 1}, fields=["next_invoice_number"],
            actor=None,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        billing_settings_update(
            settings=fresh, data={"payment_terms_days": 999}, fields=["payment_terms_days"],
            actor=None,
        )  # fmt: skip
    assert BillingSettings.objects.get(pk=stale.pk).payment_terms_days == 30


def test_the_billing_settings_page_saves_through_the_service(client_as):
    admin = client_as(StaffRole.ADMIN)
    data = {
        "payment_terms_days": "21",
        "suspend_after_days": "0",
        "tax_rate": "5",
        "invoice_prefix": " acme-",
        "payment_instructions": "IBAN XX00",
    }
    response = admin.post(reverse("billing:settings"), data)
    assert response.status_code == 302
    settings = BillingSettings.current()
    assert (settings.payment_terms_days, settings.invoice_prefix) == (21, "ACME-")
    assert settings.next_invoice_number == 1
    viewer = client_as(StaffRole.VIEWER)
    assert viewer.post(reverse("billing:settings"), data).status_code == 403
