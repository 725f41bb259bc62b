"""Gap-free invoice numbers when many invoices are issued at once, on the real PostgreSQL."""

import threading
from datetime import date

import pytest
from django.db import connection

from billing.models import BillingSettings, Invoice, InvoiceRun, Subscription
from billing.services.invoicing import invoice_issue, invoice_run
from tenants.models import Tenant
from tests.factories import CustomerFactory, PlanFactory, subscribe

from .conftest import MONTH


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Real commits (threads use connections of their own); billing rows removed after."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        connection.set_tenant(tenant)
        yield tenant
        connection.set_tenant(tenant)
        from billing.models import InvoiceLine, Payment, Plan, SubscriptionTerm
        from customers.models import Customer

        for model in (Payment, InvoiceLine, Invoice, InvoiceRun, SubscriptionTerm, Subscription):
            model.history.all().delete() if hasattr(model, "history") else None
            model.objects.all().delete()
        Plan.objects.all().delete()
        Customer.objects.filter(name__startswith="Concurrent").delete()
        BillingSettings.objects.filter(pk=1).update(next_invoice_number=1)
        connection.set_schema_to_public()


def test_numbers_stay_gap_free_when_many_are_issued_at_once(committed):
    plan = PlanFactory(name="Concurrent plan")
    for index in range(12):
        subscribe(CustomerFactory(name=f"Concurrent {index}"), plan, start_date=date(2026, 1, 1))
    invoice_run(month=MONTH, actor=None, issue=False)
    draft_ids = list(Invoice.objects.values_list("pk", flat=True))
    start = threading.Barrier(len(draft_ids))
    errors = []

    def issue(invoice_id):
        try:
            connection.set_tenant(committed)
            start.wait()
            invoice_issue(invoice_id=invoice_id, actor=None)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(pk,)) for pk in draft_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 13)]
    assert BillingSettings.objects.get(pk=1).next_invoice_number == 13
