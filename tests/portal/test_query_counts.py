import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AssetFactory, LocationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["overview", "users", "locations", "assets", "settings"])
def test_portal_pages_run_a_constant_number_of_queries(portal_client, company, page):
    admin = portal_client(company, "admin")
    url = reverse(f"portal:{page}", kwargs={"cid": company.pk})
    LocationFactory(customer=company)
    AssetFactory(location=LocationFactory(customer=company))
    MembershipFactory(customer=company)
    admin.get(url)  # the first visit to Settings creates the company's portal profile
    with CaptureQueriesContext(connection) as small:
        assert admin.get(url).status_code == 200
    for _ in range(10):
        AssetFactory(location=LocationFactory(customer=company))
        MembershipFactory(customer=company)
    with CaptureQueriesContext(connection) as large:
        admin.get(url)
    assert len(large) == len(small) <= 20
