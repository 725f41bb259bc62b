import pytest

from tests.factories import CustomerFactory


@pytest.fixture
def company(in_tenant):
    return CustomerFactory(name="Acme", website="https://acme.example")
