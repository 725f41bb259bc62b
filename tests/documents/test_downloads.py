"""Downloads go through the app, with the scope checked and headers that keep a file from
acting in the app's origin; the console's pages and the portal's list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StaffRole
from customers.access import staff_customer_access_set
from documents import services
from documents.models import Document, DocumentVersion
from documents.storage import documents_storage
from tests.factories import AssetFactory, CustomerFactory, LocationFactory, UserFactory

from .helpers import PDF, PNG, pdf, stored_files, upload

pytestmark = pytest.mark.django_db


def make(record, file=None, **fields) -> Document:
    actor = UserFactory(role=StaffRole.OWNER)
    return services.document_create(
        actor=actor,
        record_type=record._meta.model_name,
        record_id=record.pk,
        file=file or pdf(),
        **fields,
    )


def download_url(document, version=None) -> str:
    version = version or document.current
    return reverse("documents:version_download", kwargs={"pk": document.pk, "vid": version.pk})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_pdf_downloads_inline_with_strict_headers(client_as):
    viewer = client_as(StaffRole.VIEWER)
    document = make(CustomerFactory())
    response = viewer.get(download_url(document))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("notes.txt", b"<script>alert(1)</script>", "text/plain; charset=utf-8"),
        ("rows.csv", b"a,b\n<svg onload=alert(1)>,2\n", "text/csv; charset=utf-8"),
    ],
)
def test_text_is_always_an_attachment(client_as, name, content, content_type):
    viewer = client_as(StaffRole.VIEWER)
    document = make(CustomerFactory(), upload(name, content))
    response = viewer.get(download_url(document))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == content_type
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "text/xml"])
def test_html_svg_or_xml_that_got_in_is_never_served_inline(client_as, content_type):
    """An .html or .svg is refused at upload (test_documents); were one stored anyway (an
    older rule, a direct import), it still downloads as an inert attachment."""
    viewer = client_as(StaffRole.VIEWER)
    document = make(CustomerFactory())
    version = document.current
    DocumentVersion.objects.filter(pk=version.pk).update(
        content_type=content_type, original_name="evil.svg"
    )
    response = viewer.get(download_url(document))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert "sandbox" in response["Content-Security-Policy"]


def test_uploading_html_or_svg_through_the_page_is_refused(client_as):
    staff = client_as(StaffRole.STAFF)
    customer = CustomerFactory()
    url = reverse("documents:document_upload", args=["customer", customer.pk])
    for name, content in (
        ("x.html", b"<script>alert(1)</script>"),
        ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ):
        response = staff.post(url, {"title": "", "file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200
        assert "cannot be uploaded" in response.content.decode()
    assert not Document.objects.exists()


def test_images_show_inline(client_as):
    viewer = client_as(StaffRole.VIEWER)
    document = make(LocationFactory(), upload("plan.png", PNG))
    response = viewer.get(download_url(document))
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "image/png"


def test_every_version_downloads(client_as):
    viewer = client_as(StaffRole.VIEWER)
    document = make(CustomerFactory())
    first = document.current
    services.document_version_add(
        actor=UserFactory(role=StaffRole.STAFF),
        document_id=document.pk,
        file=upload("v2.txt", b"second"),
    )
    assert body(viewer.get(download_url(document, first))) == PDF
    document.refresh_from_db()
    assert body(viewer.get(download_url(document))) == b"second"
    page = viewer.get(document.get_absolute_url()).content.decode()
    assert "Version 2" in page and "Version 1" in page


def test_out_of_reach_documents_are_the_same_404(client_as, tenant):
    owner = UserFactory(role=StaffRole.OWNER)
    mine, theirs = CustomerFactory(), CustomerFactory()
    limited = client_as(StaffRole.STAFF)
    staff_customer_access_set(
        member=limited.user, access="assigned", teams=[], customers=[mine], actor=owner
    )
    own = make(mine)
    others = [
        make(theirs),
        make(LocationFactory(customer=theirs)),
        make(AssetFactory(owner=theirs, location=None)),
    ]
    assert limited.get(download_url(own)).status_code == 200
    for document in others:
        assert limited.get(download_url(document)).status_code == 404
        assert limited.get(document.get_absolute_url()).status_code == 404
        share = reverse("documents:document_share", args=[document.pk])
        assert limited.post(share).status_code == 404
    # A version of my document named under another's document id, and the reverse.
    mixed = reverse("documents:version_download", args=[own.pk, others[0].current.pk])
    assert limited.get(mixed).status_code == 404
    missing = reverse("documents:version_download", args=[999999, 999999])
    assert limited.get(missing).status_code == 404
    assert not Document.objects.filter(shared_with_portal=True).exists()


def test_another_tenants_document_id_is_a_404(client_as, other_tenant, tenant):
    connection.set_tenant(other_tenant)
    elsewhere = make(CustomerFactory())
    connection.set_tenant(tenant)
    owner = client_as(StaffRole.OWNER)
    assert owner.get(download_url(elsewhere)).status_code == 404
    assert owner.get(elsewhere.get_absolute_url()).status_code == 404


def test_the_storage_path_is_never_served(client_as, tenant):
    owner = client_as(StaffRole.OWNER)
    document = make(CustomerFactory())
    key = document.current.file.name
    assert key.startswith(f"{tenant.schema_name}/documents/")
    assert key in stored_files()
    for path in (f"/media/{key}", f"/media/{tenant.schema_name}/./documents/{key.split('/')[-1]}"):
        assert owner.get(path).status_code == 404
    with pytest.raises(ValueError):
        documents_storage().url(key)
    page = owner.get(document.get_absolute_url()).content.decode()
    assert key not in page


def test_upload_through_the_customer_tab(client_as):
    staff = client_as(StaffRole.STAFF)
    customer = CustomerFactory()
    tab = reverse("customers:customer_documents", args=[customer.pk])
    assert 'enctype="multipart/form-data"' in staff.get(tab).content.decode()
    response = staff.post(
        reverse("documents:document_upload", args=["customer", customer.pk]),
        {"title": "Contract", "description": "", "file": pdf(), "shared_with_portal": "on"},
    )
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert document.shared_with_portal and document.current.uploaded_by == staff.user
    listing = staff.get(tab).content.decode()
    assert "Contract" in listing and "1 version" in listing


def test_an_oversized_request_gets_a_message_not_an_error(client_as, settings):
    settings.DOCUMENTS_MAX_BYTES = 100
    settings.IMPORT_MAX_BYTES = 100
    staff = client_as(StaffRole.STAFF)
    customer = CustomerFactory()
    before = stored_files()
    response = staff.post(
        reverse("documents:document_upload", args=["customer", customer.pk]),
        {"title": "Big", "file": pdf(extra=b"x" * 5000)},
    )
    assert response.status_code == 200
    assert "the limit is 100" in response.content.decode()
    assert not Document.objects.exists() and stored_files() == before


def test_viewers_see_no_upload_form_and_cannot_post(client_as):
    viewer = client_as(StaffRole.VIEWER)
    customer = CustomerFactory()
    tab = viewer.get(reverse("customers:customer_documents", args=[customer.pk]))
    assert "Upload a document" not in tab.content.decode()
    url = reverse("documents:document_upload", args=["customer", customer.pk])
    assert viewer.post(url, {"file": pdf()}).status_code == 403
    assert not Document.objects.exists()


def test_location_and_asset_pages_list_their_documents(client_as):
    viewer = client_as(StaffRole.VIEWER)
    location = LocationFactory()
    asset = AssetFactory(location=location)
    make(location, title="Floor plan")
    make(asset, title="Warranty")
    assert "Floor plan" in viewer.get(location.get_absolute_url()).content.decode()
    assert "Warranty" in viewer.get(asset.get_absolute_url()).content.decode()


def test_the_documents_tab_keeps_a_constant_query_count(client_as):
    viewer = client_as(StaffRole.VIEWER)
    customer = CustomerFactory()
    tab = reverse("customers:customer_documents", args=[customer.pk])
    make(customer)
    viewer.get(tab)
    with CaptureQueriesContext(connection) as small:
        assert viewer.get(tab).status_code == 200
    for n in range(20):
        document = make(customer, title=f"Doc {n}")
        services.document_version_add(
            actor=UserFactory(role=StaffRole.STAFF), document_id=document.pk, file=pdf()
        )
    with CaptureQueriesContext(connection) as large:
        content = viewer.get(tab).content.decode()
    assert "Doc 19" in content
    assert len(small) == len(large), [q["sql"][:120] for q in large.captured_queries]


def test_a_deleted_customers_own_page_still_lists_its_documents_for_admins(client_as):
    from customers.services import customer_soft_delete

    admin = client_as(StaffRole.ADMIN)
    customer = CustomerFactory()
    make(customer, title="Kept with the customer")
    customer_soft_delete(customer_id=customer.pk, actor=None)
    tab = admin.get(reverse("customers:customer_documents", args=[customer.pk]))
    content = tab.content.decode()
    assert "Kept with the customer" in content and "Upload a document" not in content


# --- The portal ---------------------------------------------------------------------------


def portal_urls(company, document):
    return (
        reverse("portal:documents", args=[company.pk]),
        reverse("portal:document_download", args=[company.pk, document.pk]),
    )


def test_the_portal_shows_and_downloads_only_shared_documents(in_tenant, portal_client):
    company = CustomerFactory()
    shared = make(company, title="Signed contract", shared_with_portal=True)
    unshared = make(company, title="Internal notes")
    client = portal_client(company)
    listing, download = portal_urls(company, shared)
    page = client.get(listing).content.decode()
    assert "Signed contract" in page and "Internal notes" not in page
    response = client.get(download)
    assert response.status_code == 200 and body(response) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(portal_urls(company, unshared)[1]).status_code == 404


def test_the_portal_never_reaches_another_companys_document(in_tenant, portal_client):
    company, other = CustomerFactory(), CustomerFactory()
    theirs = make(other, shared_with_portal=True)
    theirs_at_site = make(LocationFactory(customer=other), shared_with_portal=True)
    client = portal_client(company)
    for document in (theirs, theirs_at_site):
        # Their document under my company's URL, and under theirs.
        assert client.get(portal_urls(company, document)[1]).status_code == 404
        assert client.get(portal_urls(other, document)[1]).status_code == 404
    assert "isolation" not in client.get(portal_urls(company, theirs)[0]).content.decode()


def test_archived_documents_leave_the_portal(in_tenant, portal_client):
    company = CustomerFactory()
    document = make(company, shared_with_portal=True)
    services.document_set_archived(
        actor=UserFactory(role=StaffRole.ADMIN), document_id=document.pk, archived=True
    )
    assert portal_client(company).get(portal_urls(company, document)[1]).status_code == 404


def test_a_parents_users_see_a_sub_accounts_shared_documents(in_tenant, portal_client):
    parent = CustomerFactory()
    child = CustomerFactory(parent=parent)
    document = make(child, title="Child contract", shared_with_portal=True)
    client = portal_client(parent)
    assert "Child contract" in client.get(portal_urls(child, document)[0]).content.decode()
    assert client.get(portal_urls(child, document)[1]).status_code == 200
    # The sub-account's users do not reach the parent's.
    parents = make(parent, shared_with_portal=True)
    child_user = portal_client(child)
    assert child_user.get(portal_urls(parent, parents)[1]).status_code == 404


def test_location_and_asset_documents_follow_the_portal_sections(in_tenant, portal_client):
    company = CustomerFactory()
    site = LocationFactory(customer=company)
    plan = make(site, title="Site plan", shared_with_portal=True)
    manual = make(
        AssetFactory(owner=company, location=site), title="Manual", shared_with_portal=True
    )
    admin = portal_client(company)
    page = admin.get(portal_urls(company, plan)[0]).content.decode()
    assert "Site plan" in page and "Manual" in page
    overview_only = portal_client(company, role="limited", sections=["overview", "documents"])
    page = overview_only.get(portal_urls(company, plan)[0]).content.decode()
    assert "Site plan" not in page and "Manual" not in page
    assert overview_only.get(portal_urls(company, manual)[1]).status_code == 404
    billing_only = portal_client(company, role="limited", sections=["billing"])
    assert billing_only.get(portal_urls(company, plan)[0]).status_code == 403


def test_staff_are_not_portal_users(client_as):
    company = CustomerFactory()
    document = make(company, shared_with_portal=True)
    owner = client_as(StaffRole.OWNER)
    assert owner.get(portal_urls(company, document)[1]).status_code == 403


@pytest.mark.parametrize("kind", ["location", "asset"])
def test_location_and_asset_pages_stay_flat_with_their_documents(client_as, kind):
    viewer = client_as(StaffRole.VIEWER)
    record = LocationFactory() if kind == "location" else AssetFactory()
    make(record)
    viewer.get(record.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        viewer.get(record.get_absolute_url())
    for n in range(20):
        make(record, title=f"Doc {n}")
    with CaptureQueriesContext(connection) as large:
        content = viewer.get(record.get_absolute_url()).content.decode()
    assert "Doc 19" in content
    assert len(small) == len(large)
