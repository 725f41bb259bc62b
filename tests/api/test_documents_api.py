"""Documents in the API: list a record's documents, read one, upload (multipart) a document
and a new version, download; scoped like the parent record; in the OpenAPI schema."""

from __future__ import annotations

import pytest

from accounts.models import StaffRole
from customers.access import staff_customer_access_set
from documents import services
from documents.models import Document
from tests.documents.helpers import PDF, pdf, stored_files, upload
from tests.factories import AssetFactory, CustomerFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/documents/"


def make(record, **fields):
    return services.document_create(
        actor=UserFactory(role=StaffRole.OWNER),
        record_type=record._meta.model_name,
        record_id=record.pk,
        file=pdf(),
        **fields,
    )


def test_list_a_records_documents_and_read_one(api_as):
    client = api_as(StaffRole.VIEWER)
    customer = CustomerFactory()
    mine = make(customer, title="Contract")
    make(CustomerFactory(), title="Elsewhere")
    response = client.get(API, {"customer": customer.pk})
    assert response.status_code == 200
    assert [d["title"] for d in response.json()["results"]] == ["Contract"]
    detail = client.get(f"{API}{mine.pk}/").json()
    assert detail["customer"] == customer.pk
    assert detail["current_version"]["original_name"] == "contract.pdf"
    assert len(detail["versions"]) == 1


def test_upload_a_document_and_a_new_version(api_as):
    client = api_as(StaffRole.STAFF)
    location = LocationFactory()
    response = client.post(API, {"location": location.pk, "title": "Floor plan", "file": pdf()})
    assert response.status_code == 201, response.content
    document = Document.objects.get()
    assert (document.location, document.title) == (location, "Floor plan")
    assert document.current.uploaded_by == client.user
    version = client.post(f"{API}{document.pk}/versions/", {"file": upload("v2.txt", b"two")})
    assert version.status_code == 201 and version.json()["number"] == 2
    download = client.get(f"{API}{document.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"two"
    assert download["Content-Disposition"].startswith("attachment")
    first = document.versions.get(number=1)
    older = client.get(f"{API}{document.pk}/download/", {"version": first.pk})
    assert b"".join(older.streaming_content) == PDF


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "file"),
        ({"file": "nope"}, "file"),
        ({"evil": "1"}, "evil"),
        ({"file": "FILE", "customer": "CUSTOMER", "location": "LOCATION"}, "detail"),
        ({"file": "FILE"}, "detail"),
        ({"file": "HTML", "customer": "CUSTOMER"}, "file"),
        ({"file": "EMPTY", "customer": "CUSTOMER"}, "file"),
    ],
)
def test_bad_uploads_are_a_400_and_write_nothing(api_as, data, field):
    client = api_as(StaffRole.STAFF)
    customer = CustomerFactory()
    location = LocationFactory()
    values = {
        "FILE": pdf(),
        "HTML": upload("x.html", b"<script>alert(1)</script>"),
        "EMPTY": upload("x.pdf", b""),
        "CUSTOMER": customer.pk,
        "LOCATION": location.pk,
    }
    body = {key: values.get(value, value) for key, value in data.items()}
    before = stored_files()
    response = client.post(API, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Document.objects.exists() and stored_files() == before


def test_the_api_is_scoped_like_the_parent(api_as):
    owner = UserFactory(role=StaffRole.OWNER)
    mine, theirs = CustomerFactory(), CustomerFactory()
    client = api_as(StaffRole.STAFF)
    staff_customer_access_set(
        member=client.user, access="assigned", teams=[], customers=[mine], actor=owner
    )
    own = make(mine)
    others = [
        make(theirs),
        make(LocationFactory(customer=theirs)),
        make(AssetFactory(owner=theirs)),
    ]
    listed = [d["id"] for d in client.get(API).json()["results"]]
    assert listed == [own.pk]
    for document in others:
        assert client.get(f"{API}{document.pk}/").status_code == 404
        assert client.get(f"{API}{document.pk}/download/").status_code == 404
        assert client.post(f"{API}{document.pk}/versions/", {"file": pdf()}).status_code == 404
    refused = client.post(API, {"customer": theirs.pk, "file": pdf()})
    assert refused.status_code == 400
    assert Document.objects.count() == 4
    # A version of another's document asked for through my document.
    wrong = client.get(f"{API}{own.pk}/download/", {"version": others[0].current_id})
    assert wrong.status_code == 404


def test_viewers_read_but_do_not_upload_and_portal_tokens_get_nothing(api_as, portal_client):
    viewer = api_as(StaffRole.VIEWER)
    customer = CustomerFactory()
    make(customer)
    assert viewer.post(API, {"customer": customer.pk, "file": pdf()}).status_code == 403
    membership = portal_client(customer).membership
    portal = api_as(user=membership.user)
    assert portal.get(API).status_code == 403


def test_documents_are_in_the_schema(api_as):
    schema = api_as(StaffRole.VIEWER).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/documents/"]
    assert "multipart/form-data" in paths["/api/v1/documents/"]["post"]["requestBody"]["content"]
    assert "/api/v1/documents/{id}/download/" in paths
    assert "/api/v1/documents/{id}/versions/" in paths
