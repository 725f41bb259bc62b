"""A list's results are boosted into ``#results``; a link from them to another page gets a
whole page, which htmx is told to put in the body instead of nesting it inside the list."""

import pytest

from accounts.models import StaffRole
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
BOOSTED = {"HTTP_HX_REQUEST": "true", "HTTP_HX_BOOSTED": "true", "HTTP_HX_TARGET": "results"}


def test_a_whole_page_asked_for_from_the_results_goes_to_the_body(client_as, in_tenant):
    customer = CustomerFactory(name="Acme Robotics")
    response = client_as(StaffRole.STAFF).get(customer.get_absolute_url(), **BOOSTED)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "body" and response["HX-Reswap"] == "innerHTML"


def test_the_list_s_own_paging_still_swaps_the_results_in_place(client_as, in_tenant):
    CustomerFactory(name="Acme Robotics")
    response = client_as(StaffRole.STAFF).get("/customers/?page=1", **BOOSTED)
    assert "<html" not in response.content.decode()[:400]
    assert "HX-Retarget" not in response


def test_a_plain_request_gets_no_htmx_headers(client_as, in_tenant):
    customer = CustomerFactory(name="Acme Robotics")
    response = client_as(StaffRole.STAFF).get(customer.get_absolute_url())
    assert "HX-Retarget" not in response
