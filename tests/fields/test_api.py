"""The API reads and writes ``custom_fields`` and ``tags``, checks them like the forms, and
describes them in its schema."""

import json

import pytest

from accounts.models import StaffRole
from tests.factories import CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


def send(client, method: str, path: str, data: dict):
    """POST, or PATCH with the ETag just read (updates need it)."""
    extra = {"HTTP_IF_MATCH": client.get(path)["ETag"]} if method == "patch" else {}
    return getattr(client, method)(path, json.dumps(data), content_type="application/json", **extra)


def test_custom_fields_and_tags_are_read_and_written(api_as, define, make_tag):
    define("customer", "tier", "choice", choices=["Gold", "Silver"])
    define("customer", "seats", "integer")
    make_tag("VIP")
    client = api_as(StaffRole.STAFF)
    response = send(
        client,
        "post",
        f"{API}/customers/",
        {"name": "Acme", "custom_fields": {"tier": "gold", "seats": 12}, "tags": ["vip"]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["custom_fields"] == {"tier": "Gold", "seats": 12}
    assert body["tags"] == ["vip"]
    pk = body["id"]
    response = send(client, "patch", f"{API}/customers/{pk}/", {"custom_fields": {"seats": None}})
    assert response.status_code == 200, response.content
    assert response.json()["custom_fields"] == {"tier": "Gold", "seats": None}
    assert response.json()["tags"] == ["vip"]
    listed = client.get(f"{API}/customers/?cf_tier=Gold&tag=vip").json()
    assert [row["name"] for row in listed["results"]] == ["Acme"]


@pytest.mark.parametrize(
    ("custom_fields", "message"),
    [
        ({"seats": "many"}, "Seats takes a whole number."),
        ({"tier": "Platinum"}, "“Platinum” is not one of the choices of Tier: Gold, Silver."),
        ({"colour": "red"}, "There is no custom field “colour”."),
        ({"tier": None}, "Tier is required."),
        ("Gold", "Give custom fields as an object of key: value."),
    ],
)
def test_bad_values_are_a_400_naming_the_field_and_nothing_is_written(
    api_as, define, custom_fields, message
):
    define("customer", "tier", "choice", choices=["Gold", "Silver"], required=True)
    define("customer", "seats", "integer")
    customer = CustomerFactory(name="Acme", custom_field_data={"tier": "Gold"})
    client = api_as(StaffRole.STAFF)
    response = send(
        client,
        "patch",
        f"{API}/customers/{customer.pk}/",
        {"name": "Renamed", "custom_fields": custom_fields},
    )
    assert response.status_code == 400
    assert message in response.json()["custom_fields"]
    customer.refresh_from_db()
    assert customer.name == "Acme" and customer.custom_field_data == {"tier": "Gold"}


def test_an_unknown_tag_is_refused(api_as):
    client = api_as(StaffRole.STAFF)
    response = send(client, "post", f"{API}/customers/", {"name": "Acme", "tags": ["nope"]})
    assert response.status_code == 400 and "tags" in response.json()


def test_a_nul_character_in_a_form_body_is_a_400_like_in_json(api_as):
    """Found by schemathesis: a form-encoded update with a NUL in a tag reached the tag
    lookup, and PostgreSQL cannot compare text holding NUL (a 500)."""
    from urllib.parse import urlencode

    client = api_as(StaffRole.STAFF)
    location = LocationFactory()
    path = f"{API}/locations/{location.pk}/"
    bodies = {
        "application/x-www-form-urlencoded": urlencode({"name": "Depot", "tags": "a\x00b"}),
        "application/json": json.dumps({"tags": ["a\x00b"]}),
    }
    for content_type, body in bodies.items():
        etag = client.get(path)["ETag"]
        response = client.patch(path, body, content_type=content_type, HTTP_IF_MATCH=etag)
        assert response.status_code == 400, response.content
        assert "NUL" in response.json()["detail"]


def test_locations_take_them_too(api_as, define, make_tag):
    define("location", "floor", "integer")
    make_tag("Rack")
    location = LocationFactory()
    client = api_as(StaffRole.STAFF)
    response = send(
        client,
        "patch",
        f"{API}/locations/{location.pk}/",
        {"custom_fields": {"floor": 2}, "tags": ["rack"]},
    )
    assert response.status_code == 200, response.content
    location.refresh_from_db()
    assert location.custom_field_data == {"floor": 2}
    assert [tag.slug for tag in location.tags.all()] == ["rack"]


def test_the_schema_describes_custom_fields_and_tags(api_as):
    client = api_as(StaffRole.STAFF)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    customer = schema["components"]["schemas"]["Customer"]["properties"]
    assert customer["custom_fields"]["type"] == "object"
    assert "multiple choice as a list" in customer["custom_fields"]["description"]
    assert customer["tags"]["items"]["type"] == "string"


def test_contacts_take_them_too(api_as, define, make_tag):
    define("contact", "shoe_size", "integer")
    make_tag("VIP")
    acme = CustomerFactory(name="Acme")
    client = api_as(StaffRole.STAFF)
    response = send(
        client,
        "post",
        f"{API}/contacts/",
        {"customer": acme.pk, "name": "Jane", "custom_fields": {"shoe_size": 38}, "tags": ["vip"]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["custom_fields"] == {"shoe_size": 38}
    assert response.json()["tags"] == ["vip"]
    pk = response.json()["id"]
    response = send(
        client, "patch", f"{API}/contacts/{pk}/", {"custom_fields": {"shoe_size": "big"}}
    )
    assert response.status_code == 400 and "custom_fields" in response.json()
    response = send(client, "patch", f"{API}/contacts/{pk}/", {"tags": []})
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == [] and response.json()["custom_fields"] == {"shoe_size": 38}
