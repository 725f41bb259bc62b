"""A related-record field posted with something that is not an id (a hand-made request, a
broken script) is a form error, never a server error, on every form that has one."""

import pytest

from accounts.models import StaffRole
from tests.factories import AssetFactory, CustomerFactory, LocationFactory, ProjectFactory

NOT_AN_ID = "abc"


@pytest.mark.parametrize(
    "url,field",
    [
        ("/locations/add/", "customer"),
        ("/assets/add/", "owner"),
        ("/assets/add/", "location"),
        ("/assets/add/", "project"),
        ("/billing/projects/add/", "customer"),
        ("/billing/projects/add/", "locations"),
        ("/customers/add/", "company-parent"),
        ("/billing/subscriptions/add/", "customer"),
        ("/billing/subscriptions/add/", "plan"),
        ("/billing/usage/add/", "customer"),
        ("/billing/usage/add/", "metric"),
    ],
)
def test_adding_with_a_related_field_that_is_not_an_id(client_as, url, field):
    client = client_as(StaffRole.ADMIN)
    response = client.post(url, {field: NOT_AN_ID, "name": "Not saved"})
    assert response.status_code in (200, 400), (url, field, response.status_code)


def test_editing_with_a_related_field_that_is_not_an_id(client_as, in_tenant):
    client = client_as(StaffRole.ADMIN)
    customer = CustomerFactory()
    location = LocationFactory(customer=customer)
    asset = AssetFactory(owner=customer, location=location)
    project = ProjectFactory(customer=customer)
    for url, field in (
        (f"/locations/{location.pk}/edit/", "customer"),
        (f"/assets/{asset.pk}/edit/", "location"),
        (f"/assets/{asset.pk}/edit/", "owner"),
        (f"/customers/{customer.pk}/edit/", "parent"),
        (f"/billing/projects/{project.pk}/edit/", "customer"),
        (f"/locations/{location.pk}/move/", "customer"),
    ):
        response = client.post(url, {field: NOT_AN_ID, "name": "Not saved"})
        assert response.status_code in (200, 400), (url, field, response.status_code)
    asset.refresh_from_db()
    assert asset.location_id == location.pk
