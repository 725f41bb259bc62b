import pytest

from accounts.models import StaffRole
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def staff(in_tenant):
    return UserFactory(role=StaffRole.STAFF, email="sam.staff@alpha.example", first_name="Sam")


@pytest.fixture
def admin(in_tenant):
    return UserFactory(role=StaffRole.ADMIN, email="ada.admin@alpha.example", first_name="Ada")


@pytest.fixture
def viewer(in_tenant):
    return UserFactory(role=StaffRole.VIEWER)


@pytest.fixture
def customer(in_tenant):
    return CustomerFactory(name="Acme Timeline")
