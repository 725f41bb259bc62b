import pytest

from tests.factories import CustomerFactory


@pytest.fixture
def make_customer(in_tenant):
    def make(**fields):
        return CustomerFactory(**fields)

    return make
