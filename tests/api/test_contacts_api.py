"""/api/v1/contacts/: list with filters, retrieve, create, update (If-Match), archive; scoped
like customers; in the OpenAPI schema."""

from __future__ import annotations

import json

import pytest

from accounts.models import StaffRole
from customers import services_contacts as services
from customers.access import staff_customer_access_set
from customers.models_contacts import BILLING, PRIMARY, Contact, ContactRole
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/contacts/"


def send(client, method, path, data, **extra):
    return getattr(client, method)(path, json.dumps(data), content_type="application/json", **extra)


def role(key):
    return ContactRole.objects.get(key=key)


@pytest.fixture
def acme(in_tenant):
    return CustomerFactory(name="Acme Corporation", contact_name="")


def test_create_with_roles_then_list_filter_and_retrieve(api_as, acme):
    client = api_as(StaffRole.STAFF)
    response = send(
        client,
        "post",
        API,
        {
            "customer": acme.pk,
            "name": "Api Person",
            "email": "api@acme.example",
            "phone": "+1 202 555 0101",
            "roles": [role(PRIMARY).pk, role(BILLING).pk],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role_names"] == ["Primary", "Billing"]
    assert body["phone"].replace(" ", "").replace("-", "") == "+12025550101"
    contact = Contact.objects.get(pk=body["id"])
    assert contact.history.get().history_user == client.user
    services.contact_create(customer=acme, actor=None, name="Other Person")
    listed = client.get(API, {"role": role(BILLING).pk}).json()["results"]
    assert [c["name"] for c in listed] == ["Api Person"]
    found = client.get(API, {"q": "555 0101"}).json()["results"]
    assert [c["name"] for c in found] == ["Api Person"]
    detail = client.get(f"{API}{contact.pk}/")
    assert detail.status_code == 200 and detail["ETag"]


def test_update_needs_if_match_and_sets_roles(api_as, acme):
    client = api_as(StaffRole.STAFF)
    contact = services.contact_create(customer=acme, actor=None, name="Old", roles=[role(PRIMARY)])
    url = f"{API}{contact.pk}/"
    assert send(client, "patch", url, {"title": "CTO"}).status_code == 428
    etag = client.get(url)["ETag"]
    response = send(
        client, "patch", url, {"title": "CTO", "roles": [role("technical").pk]}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert contact.title == "CTO" and contact.roles_label == "Technical"
    stale = send(client, "patch", url, {"title": "Again"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412


def test_bad_input_is_a_400_and_nothing_written(api_as, acme):
    client = api_as(StaffRole.STAFF)
    for body in (
        {"customer": acme.pk, "name": ""},
        {"customer": acme.pk, "name": "X", "email": "nope"},
        {"customer": acme.pk, "name": "X", "other_emails": "a@b.example, nope"},
        {"customer": acme.pk, "name": "X", "roles": [999999]},
        {"customer": acme.pk, "name": "X", "preferred_channel": "sms"},
        {"customer": acme.pk, "name": "X", "unknown": 1},
    ):
        response = send(client, "post", API, body)
        assert response.status_code == 400, (body, response.content)
    assert not Contact.objects.exists()


def test_archive_and_restore(api_as, acme):
    client = api_as(StaffRole.STAFF)
    contact = services.contact_create(customer=acme, actor=None, name="Leaver")
    url = f"{API}{contact.pk}/archive/"
    response = send(client, "post", url, {"archived": True})
    assert response.status_code == 200 and response.json()["is_archived"] is True
    assert [c["name"] for c in client.get(API).json()["results"]] == []
    assert client.get(API, {"archived": "include"}).json()["results"][0]["name"] == "Leaver"
    send(client, "post", url, {"archived": False})
    contact.refresh_from_db()
    assert not contact.is_archived
    assert client.delete(f"{API}{contact.pk}/").status_code in (403, 405)  # no DELETE
    assert Contact.objects.filter(pk=contact.pk).exists()
    viewer = api_as(StaffRole.VIEWER)
    assert send(viewer, "post", url, {"archived": True}).status_code == 403


def test_limited_staff_and_portal_users_are_scoped(api_as, acme, tenant):
    theirs = CustomerFactory(name="Theirs", contact_name="")
    services.contact_create(customer=acme, actor=None, name="Mine")
    hidden = services.contact_create(customer=theirs, actor=None, name="Hidden")
    member = UserFactory(role=StaffRole.STAFF)
    staff_customer_access_set(
        member=member,
        access="assigned",
        teams=[],
        customers=[acme],
        actor=UserFactory(role=StaffRole.OWNER),
    )
    client = api_as(user=member)
    assert [c["name"] for c in client.get(API).json()["results"]] == ["Mine"]
    assert client.get(f"{API}{hidden.pk}/").status_code == 404
    refused = send(client, "post", API, {"customer": theirs.pk, "name": "Sneaky"})
    assert refused.status_code == 400
    assert not Contact.objects.filter(name="Sneaky").exists()


def test_contacts_are_in_the_openapi_schema(tenant_client):
    schema = tenant_client.get("/api/schema/").content.decode()
    assert "/api/v1/contacts/:" in schema and "/api/v1/contacts/{id}/archive/:" in schema
    assert "/api/v1/contacts/roles/:" in schema
