"""The location page's panels come from the apps that own them (assets: what sits here)."""

import pytest

from accounts.models import StaffRole
from assets.views import LocationAssetsPanel
from locations.views import LOCATION_PANELS
from tests.factories import AssetFactory, LocationFactory

pytestmark = pytest.mark.django_db


def test_assets_registers_the_assets_here_panel():
    assert LOCATION_PANELS[0] is LocationAssetsPanel  # documents' panel comes after it


def test_the_assets_panel_sorts_and_pages_by_its_own_parameters(client_as):
    viewer = client_as(StaffRole.VIEWER)
    location = LocationFactory()
    for name in ("Alpha", "Bravo", "Charlie"):
        AssetFactory(location=location, name=name)
    AssetFactory(name="Elsewhere")
    response = viewer.get(location.get_absolute_url(), {"assets-sort": "-name", "sort": "name"})
    panel = response.context["panels"][0]
    assert panel["template_name"] == "assets/_location_assets.html"
    assert [row.record.name for row in panel["table"].page.object_list] == [
        "Charlie",
        "Bravo",
        "Alpha",
    ]
    content = response.content.decode()
    assert "Assets here" in content and "(3)" in content


@pytest.mark.parametrize(("role", "shown"), [(StaffRole.VIEWER, False), (StaffRole.STAFF, True)])
def test_the_assets_panel_adds_its_button_for_editors(client_as, role, shown):
    location = LocationFactory()
    content = client_as(role).get(location.get_absolute_url()).content.decode()
    assert ("Add asset here" in content) is shown
