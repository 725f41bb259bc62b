from datetime import date

import pytest

from accounts.models import StaffRole
from contracts import services
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def manager(in_tenant):
    return UserFactory(role=StaffRole.ADMIN, email="mia.manager@alpha.example", first_name="Mia")


@pytest.fixture
def staff(in_tenant):
    return UserFactory(role=StaffRole.STAFF, email="sam.staff@alpha.example", first_name="Sam")


@pytest.fixture
def company(in_tenant):
    return CustomerFactory(name="Globex Services")


def make_contract(actor, customer, **fields):
    defaults = {
        "name": "Managed services",
        "kind": "retainer",
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31),
        "value": "12000.00",
    }
    return services.contract_create(actor=actor, customer_id=customer.pk, **{**defaults, **fields})
