"""Bodies no client should send are the API's documented JSON 400, never a 500 (found by
tests/security/test_fuzz.py): a number that overflows to infinity (``1e309``) into any
field, including a related record's id, and JSON nested deeper than the decoder's stack."""

import pytest

from accounts.models import StaffRole
from customers.models import Customer
from locations.models import Location
from tests.factories import CustomerFactory


@pytest.fixture
def staff_api(api_as):
    return api_as(StaffRole.STAFF)


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "Overflow site", "customer": 1e309}',
        '{"name": "Overflow site", "customer": -1e309}',
        '{"name": "Overflow site", "customer": [1e309]}',
    ],
)
def test_a_number_too_large_for_a_float_is_a_json_400(staff_api, in_tenant, body):
    CustomerFactory()
    response = staff_api.post("/api/v1/locations/", body, content_type="application/json")
    assert response.status_code == 400
    assert "finite" in response.json()["detail"]
    assert not Location.objects.filter(name="Overflow site").exists()


def test_json_nested_deeper_than_the_decoder_can_go_is_a_json_400(staff_api):
    body = "[" * 100_000 + "]" * 100_000
    response = staff_api.post("/api/v1/customers/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nests too deeply" in response.json()["detail"]
    assert not Customer.objects.exists()
