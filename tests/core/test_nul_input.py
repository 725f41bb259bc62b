"""A NUL character (which PostgreSQL cannot store) in a search, a form or an API body is
removed at the edge or refused with a 400 — never a server error."""

import json

import pytest

from accounts.models import StaffRole
from customers.models import Customer
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    "url",
    [
        "/customers/?q=%00",
        "/customers/?q=ac%00me",
        "/locations/?q=%00",
        "/assets/?q=%00",
        "/billing/invoices/?q=%00",
        "/customers/autocomplete/?autocomplete_q=%00",
        "/api/v1/customers/?q=%00",
    ],
)
def test_a_nul_in_a_search_is_no_server_error(client_as, url):
    client = client_as(StaffRole.STAFF)
    assert client.get(url).status_code == 200, url


def test_a_nul_in_the_portal_search_is_no_server_error(portal_client, in_tenant):
    company = CustomerFactory()
    client = portal_client(company)
    assert client.get(f"/portal/c/{company.pk}/locations/?q=%00").status_code == 200


def test_a_nul_in_a_form_is_removed_before_it_is_saved(client_as):
    client = client_as(StaffRole.STAFF)
    response = client.post("/customers/quick-add/", {"name": "Nul\x00 Industries"})
    assert response.status_code in (200, 204, 302)
    assert Customer.objects.filter(name="Nul Industries").exists()


def test_a_nul_in_an_api_body_is_a_json_400(api_as):
    client = api_as(StaffRole.STAFF)
    response = client.post(
        "/api/v1/customers/",
        data=json.dumps({"name": "Bad\u0000 Corp"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert not Customer.objects.filter(name__startswith="Bad").exists()
