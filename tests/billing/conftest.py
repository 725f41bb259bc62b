import threading
from datetime import date

import pytest
from django.db import connection

from billing.models import Metric, PlanTier
from tests.factories import CustomerFactory, PlanFactory, subscribe

# A month safely in the past, so its periods are over whatever today is.
MONTH = date(2026, 3, 1)


@pytest.fixture
def metric(in_tenant):
    return Metric.objects.get(code="operations")


@pytest.fixture
def plan(in_tenant, metric):
    plan = PlanFactory(name="Growth", monthly_fee="300.00", seat_fee="20.00")
    PlanTier.objects.create(plan=plan, metric=metric, up_to=1000, unit_price="0")
    PlanTier.objects.create(plan=plan, metric=metric, up_to=None, unit_price="0.05")
    return plan


@pytest.fixture
def subscribed(plan):
    """A customer on Growth with 5 seats since well before MONTH."""
    customer = CustomerFactory(
        name="Acme Robotics",
        billing_email="billing@acme.example",
        billing_contact_name="Bea Biller",
        billing_address_line1="1 Main Street",
        billing_city="Springfield",
        billing_country="US",
    )
    subscribe(customer, plan, seats=5, start_date=date(2026, 1, 1))
    return customer


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Real commits (threads use connections of their own) in tenant alpha; the billing rows
    and the customers the test made are removed after."""
    from accounts.models import Notification
    from billing.models import (
        BillingProfile,
        BillingSettings,
        Invoice,
        InvoiceLine,
        InvoiceRun,
        Payment,
        Plan,
        Subscription,
        SubscriptionTerm,
    )
    from customers.models import Customer
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        connection.set_tenant(tenant)
        last_customer = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True)
        last_notification = last_notification.first() or 0
        yield tenant
        connection.set_tenant(tenant)
        # Committed runs tell billing staff they finished (core.notifications): not kept.
        Notification.objects.filter(pk__gt=last_notification).delete()
        for model in (Payment, InvoiceLine, Invoice, InvoiceRun, SubscriptionTerm, Subscription):
            model.history.all().delete() if hasattr(model, "history") else None
            model.objects.all().delete()
        Plan.objects.all().delete()
        made = Customer.objects.filter(pk__gt=last_customer)
        BillingProfile.objects.filter(customer__in=made).delete()
        made.filter(parent__isnull=False).delete()
        made.delete()
        BillingSettings.objects.filter(pk=1).update(next_invoice_number=1)
        connection.set_schema_to_public()


def in_threads(tenant, jobs, timeout=120):
    """Run each job in a thread of its own (own connection), all released at once; the
    jobs' results, after asserting none raised."""
    start = threading.Barrier(len(jobs))
    errors, results = [], []

    def work(job):
        try:
            connection.set_tenant(tenant)
            start.wait()
            results.append(job())
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert errors == []
    return results
