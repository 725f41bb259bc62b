from datetime import date

import pytest

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
