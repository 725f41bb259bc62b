"""The portal's lists run on the console's list machinery with the one table per model, shown
with portal links only."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import StaffRole
from tests.factories import AssetFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db
CONSOLE_LINK = re.compile(r'(?:href|action)="/(?!portal/|static/|accounts/)')


def url(name, company):
    return reverse(f"portal:{name}", kwargs={"cid": company.pk})


def column_headers(page: str) -> list[str]:
    return re.findall(r"<th\b[^>]*>\s*(?:<a[^>]*>)?([^<]+?)\s*<", page)


def csv_of(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_locations_show_the_portals_columns_and_edit_only_for_those_who_may(portal_client, company):
    site = LocationFactory(customer=company, name="Main office", address_line1="1 Harbour Rd")
    LocationFactory(customer=company, name="Old depot", is_archived=True)
    LocationFactory(customer=CustomerFactory(name="Other Co"), name="Elsewhere")
    edit_url = reverse("portal:location_edit", kwargs={"cid": company.pk, "lid": site.pk})

    admin = portal_client(company, "admin").get(url("locations", company)).content.decode()
    headers = column_headers(admin)
    assert headers == ["Name", "Type", "Status", "Address", "Actions"]
    assert "1 Harbour Rd" in admin and edit_url in admin
    assert "Old depot" not in admin and "Elsewhere" not in admin and "Other Co" not in admin
    assert not CONSOLE_LINK.search(admin)

    reader = portal_client(company, "read_only").get(url("locations", company)).content.decode()
    assert "Main office" in reader and edit_url not in reader and "Actions" not in reader
    assert not CONSOLE_LINK.search(reader)


def test_assets_say_where_and_whose_in_the_portals_words(portal_client, company):
    other = CustomerFactory(name="Other Co")
    site = LocationFactory(customer=company, name="Main office")
    AssetFactory(location=site, name="Ours here")
    AssetFactory(location=None, owner=company, name="In repair")
    AssetFactory(location=LocationFactory(customer=other, name="Their site"), owner=company)
    AssetFactory(location=LocationFactory(customer=other), name="Not ours")

    page = portal_client(company, "read_only").get(url("assets", company)).content.decode()
    headers = column_headers(page)
    assert headers == ["Name / tag", "Serial", "Model", "Category", "Status", "Where", "Owner"]
    assert "With your provider" in page and "Their site" in page
    assert "Other Co" not in page and "Not ours" not in page and 'type="checkbox"' not in page
    assert not CONSOLE_LINK.search(page)


def test_the_export_has_the_companys_rows_and_the_portals_columns(portal_client, company):
    LocationFactory(customer=company, name="Main office")
    AssetFactory(location=None, owner=company, name="In repair")
    AssetFactory(location=LocationFactory(customer=CustomerFactory(name="Other Co")), owner=None)
    client = portal_client(company, "read_only")

    locations = csv_of(client.get(url("locations", company), {"export": "csv"}))
    assert locations.splitlines()[0] == "Name,Type,Status,Address"
    assert "Main office" in locations

    assets = csv_of(client.get(url("assets", company), {"export": "csv"})).splitlines()
    assert assets[0] == "Name / tag,Serial,Model,Category,Status,Where,Owner"
    assert len(assets) == 2 and assets[1].endswith(",With your provider,Acme")


def test_search_answers_htmx_with_the_results_only(portal_client, company):
    LocationFactory(customer=company, name="Main office")
    LocationFactory(customer=company, name="Warehouse")
    response = portal_client(company, "admin").get(
        url("locations", company), {"q": "main"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    content = response.content.decode()
    assert "Main office" in content and "Warehouse" not in content
    assert "<html" not in content and "1 result" in content


def test_console_users_and_anonymous_visitors_do_not_reach_portal_lists(client_as, company):
    staff = client_as(StaffRole.ADMIN)
    assert staff.get(url("locations", company)).status_code == 403
    assert staff.get(url("assets", company), {"export": "csv"}).status_code == 403
    response = Client(HTTP_HOST="alpha.localhost").get(url("assets", company), {"export": "csv"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_companys_list_is_not_found(portal_client, company):
    stranger = CustomerFactory(name="Other Co")
    response = portal_client(company, "admin").get(url("locations", stranger), {"export": "csv"})
    assert response.status_code == 404


def test_the_console_location_list_keeps_its_columns(client_as, company):
    LocationFactory(customer=company, name="Main office")
    page = client_as(StaffRole.ADMIN).get(reverse("locations:location_list")).content.decode()
    headers = column_headers(page)
    assert headers == ["Name", "Customer", "Type", "Status", "City", "Country", "Actions"]
