"""Invalid UTF-8 in a query string or a form body is replaced, not refused: Django decodes
both with ``errors="replace"``, so the bad bytes become U+FFFD and the request goes on like
any other (never a 500). A JSON body with invalid UTF-8 is the API's JSON 400 (see
tests/api/test_hostile_bodies.py and tests/security/test_fuzz.py)."""

import pytest

from accounts.models import StaffRole
from customers.models import Customer

BAD = "bad \ufffd\ufffd\ufffd( utf8"  # b"bad \xff\xfe\xc3\x28 utf8" decoded with replace


@pytest.mark.parametrize(
    "url", ["/customers/?q=%FF%FE", "/locations/?q=bad%C3%28&sort=%FF", "/assets/?page=%FF"]
)
def test_invalid_utf8_in_a_query_string_is_replaced(client_as, url):
    assert client_as(StaffRole.STAFF).get(url).status_code == 200


def test_invalid_utf8_in_an_urlencoded_form_is_stored_replaced(client_as):
    client = client_as(StaffRole.STAFF)
    body = "name=bad+%FF%FE%C3%28+utf8"
    response = client.post(
        "/customers/quick-add/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert Customer.objects.filter(name=BAD).exists()


def test_invalid_utf8_in_a_multipart_form_is_stored_replaced(client_as):
    client = client_as(StaffRole.STAFF)
    raw = [b"bad \xff\xfe\xc3\x28 utf8"]  # in a list: the test client sends bytes as they are
    response = client.post("/customers/quick-add/", {"name": raw})
    assert response.status_code == 302
    assert list(Customer.objects.values_list("name", flat=True)) == [BAD]


def test_invalid_utf8_in_a_json_body_is_a_json_400(api_as):
    response = api_as(StaffRole.STAFF).post(
        "/api/v1/customers/", b'{"name": "bad \xff utf8"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Customer.objects.filter(name__startswith="bad").exists()
