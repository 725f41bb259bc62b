import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import StaffRole
from tests.factories import AssetFactory, LocationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def flat(client, url, grow) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow()
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    return len(small), len(large)


def test_location_page_is_flat_in_assets_and_history(client_as):
    viewer = client_as(StaffRole.VIEWER)
    location = LocationFactory()
    AssetFactory(location=location)

    def grow():
        for index in range(10):
            AssetFactory(location=location)
            location.name = f"Renamed {index}"
            location.save()

    small, large = flat(viewer, location.get_absolute_url(), grow)
    # Raised from 16 when the activity panel (its entries, a page of the location's history,
    # the customers it names: 4 queries) and custom fields (definitions, asked twice, and
    # tags: 3) came: flat is what matters, the budget catches additions.
    assert small == large <= 20


def test_asset_page_is_flat_in_history(client_as):
    viewer = client_as(StaffRole.VIEWER)
    asset = AssetFactory()

    def grow():
        for index in range(10):
            asset.status = ["deployed", "in_repair"][index % 2]
            asset.save()

    small, large = flat(viewer, asset.get_absolute_url(), grow)
    assert small == large <= 19  # the activity panel and custom fields, as above


def test_project_page_is_flat_in_site_changes(client_as):
    viewer = client_as(StaffRole.VIEWER)
    project = ProjectFactory()
    sites = [LocationFactory(customer=project.customer, name=f"Site {i}") for i in range(11)]
    project.locations.add(sites[0])
    project.name = "Renamed"
    project.save()

    def grow():
        for site in sites[1:]:
            project.locations.add(site)
            project.save()  # a history record holding the sites of the moment

    small, large = flat(viewer, project.get_absolute_url(), grow)
    assert small == large <= 18
    content = viewer.get(project.get_absolute_url()).content.decode()
    assert "Site 0, Site 1" in content


def test_api_tokens_and_webhook_pages_are_flat(client_as):
    from accounts.tokens import api_token_create
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    owner = client_as(StaffRole.OWNER)
    endpoint = WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/h", events=["customer.created"]
    )

    def grow():
        for _ in range(10):
            api_token_create(user=owner.user, name="t")
            WebhookDelivery.objects.create(endpoint=endpoint, event="customer.created", payload={})

    for url in ("/settings/api-tokens/", f"/settings/webhooks/{endpoint.pk}/"):
        small, large = flat(owner, url, grow)
        assert small == large <= 12
