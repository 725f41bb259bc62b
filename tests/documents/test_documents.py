"""Documents' services and the checks on what is uploaded: scope, history, versions, limits,
type by extension and content, names, and nothing partial when an upload fails."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.http import Http404
from django.test import override_settings

from accounts.models import StaffRole
from customers.access import staff_customer_access_set
from documents import services
from documents.files import clean_name, sniff
from documents.models import Document, DocumentVersion
from tests.factories import AssetFactory, CustomerFactory, LocationFactory, UserFactory

from .helpers import PNG, docx_bytes, pdf, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(in_tenant):
    return UserFactory(role=StaffRole.STAFF)


def create(actor, record, file=None, **fields):
    return services.document_create(
        actor=actor,
        record_type=record._meta.model_name,
        record_id=record.pk,
        file=file or pdf(),
        **fields,
    )


def test_an_upload_makes_a_document_with_its_first_version_and_history(staff):
    customer = CustomerFactory()
    document = create(staff, customer, title="Master agreement", description="Signed 2026")
    version = document.current
    assert (document.customer, document.title, version.number) == (customer, "Master agreement", 1)
    assert version.original_name == "contract.pdf"
    assert version.content_type == "application/pdf"
    assert version.size == len(pdf().read())
    assert len(version.sha256) == 64 and version.uploaded_by == staff
    record = document.history.get()
    assert (record.history_user, record.history_change_reason) == (staff, "Uploaded contract.pdf")
    assert version.file.name.startswith(f"{connection.schema_name}/documents/")
    assert "contract" not in version.file.name  # the key is random, the name is in the row


def test_a_new_version_becomes_current_and_is_in_history(staff):
    document = create(staff, CustomerFactory())
    version = services.document_version_add(
        actor=staff, document_id=document.pk, file=upload("contract-v2.docx", docx_bytes())
    )
    document.refresh_from_db()
    assert (version.number, document.current, document.versions.count()) == (2, version, 2)
    assert document.history.first().history_change_reason == "Version 2: contract-v2.docx"


def test_documents_go_on_locations_and_assets_too(staff):
    location = LocationFactory()
    asset = AssetFactory(location=location)
    assert create(staff, location).location == location
    assert create(staff, asset).asset == asset


def test_a_document_belongs_to_exactly_one_record(staff):
    customer = CustomerFactory()
    location = LocationFactory(customer=customer)
    with pytest.raises(IntegrityError):
        Document.objects.create(title="x", customer=customer, location=location)


def test_rename_share_archive_and_restore_are_recorded(staff):
    admin = UserFactory(role=StaffRole.ADMIN)
    document = create(staff, CustomerFactory())
    services.document_update(actor=staff, document_id=document.pk, data={"title": "Renamed"})
    services.document_set_shared(actor=staff, document_id=document.pk, shared=True)
    services.document_set_shared(actor=staff, document_id=document.pk, shared=True)  # no-op
    services.document_set_archived(actor=admin, document_id=document.pk, archived=True)
    services.document_set_archived(actor=admin, document_id=document.pk, archived=False)
    reasons = [r.history_change_reason for r in document.history.order_by("history_id")]
    assert reasons == [
        "Uploaded contract.pdf",
        "Edited",
        "Shared with the portal",
        "Archived",
        "Restored",
    ]
    document.refresh_from_db()
    assert (document.title, document.shared_with_portal, document.is_archived) == (
        "Renamed",
        True,
        False,
    )


def test_staff_cannot_archive_and_an_empty_title_is_refused(staff):
    document = create(staff, CustomerFactory())
    with pytest.raises(Http404):
        services.document_set_archived(actor=staff, document_id=document.pk, archived=True)
    with pytest.raises(ValidationError):
        services.document_update(actor=staff, document_id=document.pk, data={"title": "  "})
    assert Document.objects.get().title == "contract.pdf"


def test_scope_out_of_reach_is_the_same_404(staff):
    owner = UserFactory(role=StaffRole.OWNER)
    mine, theirs = CustomerFactory(), CustomerFactory()
    limited = UserFactory(role=StaffRole.STAFF)
    staff_customer_access_set(
        member=limited, access="assigned", teams=[], customers=[mine], actor=owner
    )
    limited = type(limited).objects.get(pk=limited.pk)
    before = stored_files()
    for record in (theirs, LocationFactory(customer=theirs), AssetFactory(owner=theirs)):
        with pytest.raises(Http404):
            create(limited, record)
    document = create(staff, theirs)
    after_theirs = stored_files()
    with pytest.raises(Http404):
        services.document_version_add(actor=limited, document_id=document.pk, file=pdf())
    with pytest.raises(Http404):
        services.document_set_shared(actor=limited, document_id=document.pk, shared=True)
    with pytest.raises(Http404):
        services.document_create(actor=staff, record_type="invoice", record_id=1, file=pdf())
    assert stored_files() == after_theirs and len(after_theirs) == len(before) + 1
    assert create(limited, mine).customer == mine


def test_a_viewer_uploads_nothing(in_tenant):
    viewer = UserFactory(role=StaffRole.VIEWER)
    with pytest.raises(Http404):
        create(viewer, CustomerFactory())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "empty"),
        ("page.html", b"<html><script>alert(1)</script>", ".html files cannot be uploaded"),
        ("logo.svg", b"<svg><script>alert(1)</script></svg>", ".svg files cannot be uploaded"),
        ("run.exe", b"MZ\x90\x00", ".exe files cannot be uploaded"),
        ("noextension", b"%PDF-1.4", "without an extension"),
        ("fake.pdf", b"<html><script>alert(1)</script>", "not a .pdf file"),
        ("fake.png", b"%PDF-1.4 not a png", "not a .png file"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "not a .docx file"),
        ("binary.txt", b"\x00\x01\x02\x03", "not a .txt file"),
        ("script.txt.html", b"hello", ".html files cannot be uploaded"),
    ],
)
def test_refused_files_leave_no_row_and_no_file(staff, name, content, message):
    customer = CustomerFactory()
    before = stored_files()
    with pytest.raises(ValidationError) as refused:
        create(staff, customer, file=upload(name, content))
    assert message in " ".join(refused.value.messages)
    assert not Document.objects.exists() and stored_files() == before


@override_settings(DOCUMENTS_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused_with_the_limit_named(staff):
    with pytest.raises(ValidationError) as refused:
        create(staff, CustomerFactory(), file=pdf(extra=b"x" * 2000))
    assert "the limit is 1000" in " ".join(refused.value.messages)
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.png", PNG),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
        ("anim.gif", b"GIF89a" + b"\x00" * 16),
        ("report.docx", docx_bytes()),
        ("bundle.zip", docx_bytes()),
        ("legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16),
        ("notes.txt", "Grüße, one line\n".encode()),
        ("rows.csv", b"name,value\nA,1\n"),
    ],
)
def test_allowed_types_by_extension_and_content(staff, name, content):
    document = create(staff, CustomerFactory(), file=upload(name, content))
    assert document.current.original_name == name


def test_names_are_sanitised():
    assert clean_name("../../etc/passwd.txt") == "passwd.txt"
    assert clean_name("C:\\Users\\me\\Report Q1.pdf") == "Report Q1.pdf"
    assert clean_name('a"b<c>\r\nd;e.pdf') == "a_b_c_d_e.pdf"
    assert clean_name("...pdf") == "pdf"
    assert clean_name("") == "document"
    assert len(clean_name("x" * 500 + ".pdf")) == 200
    assert clean_name("x" * 500 + ".pdf").endswith(".pdf")


def test_sniffing_reads_first_bytes():
    assert sniff(b"%PDF-1.7") == "pdf"
    assert sniff(PNG) == "png"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff(b"\x7fELF\x02") == ""


def test_a_failed_save_after_storing_removes_the_stored_file(staff, monkeypatch):
    customer = CustomerFactory()
    before = stored_files()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_add_version", broken)
    with pytest.raises(RuntimeError):
        create(staff, customer)
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert stored_files() == before
    document = None
    monkeypatch.undo()
    document = create(staff, customer)
    monkeypatch.setattr(services, "_add_version", broken)
    with pytest.raises(RuntimeError):
        services.document_version_add(actor=staff, document_id=document.pk, file=pdf())
    assert document.versions.count() == 1 and len(stored_files()) == len(before) + 1


def test_an_archived_document_takes_no_new_version_and_cannot_be_shared(staff):
    admin = UserFactory(role=StaffRole.ADMIN)
    document = create(staff, CustomerFactory())
    services.document_set_archived(actor=admin, document_id=document.pk, archived=True)
    before = stored_files()
    with pytest.raises(ValidationError):
        services.document_version_add(actor=staff, document_id=document.pk, file=pdf())
    with pytest.raises(ValidationError):
        services.document_set_shared(actor=staff, document_id=document.pk, shared=True)
    assert stored_files() == before


def test_a_purge_removes_the_customers_and_its_sites_documents_and_files(
    staff, django_capture_on_commit_callbacks
):
    from customers import services as customer_services

    customer = CustomerFactory()
    site = LocationFactory(customer=customer)
    asset = AssetFactory(owner=customer, location=None)
    own, at_site, on_asset = create(staff, customer), create(staff, site), create(staff, asset)
    gone = {own.current.file.name, at_site.current.file.name}
    kept = CustomerFactory()
    other = create(staff, kept)
    customer_services.customer_soft_delete(customer_id=customer.pk, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.customer_purge(customer_id=customer.pk, actor=None)
    assert set(Document.objects.values_list("pk", flat=True)) == {on_asset.pk, other.pk}
    files = stored_files()
    assert not gone & files
    assert {on_asset.current.file.name, other.current.file.name} <= files


def test_erasing_a_person_clears_their_uploads_link(staff, in_tenant):
    from privacy.services import person_erase

    owner = UserFactory(role=StaffRole.OWNER)
    document = create(staff, CustomerFactory(), title="Notes")
    person_erase(email=staff.email, reason="Request of 2026-03-01", actor=owner)
    version = DocumentVersion.objects.get(document=document)
    assert version.uploaded_by is None
    assert version.size > 0 and version.original_name == "contract.pdf"


def test_the_sweep_removes_only_old_files_no_version_names(staff):
    import os
    import time

    from django.core.files.base import ContentFile

    from documents.storage import documents_storage, new_key

    storage = documents_storage()
    document = create(staff, CustomerFactory())
    orphan = storage.save(new_key(), ContentFile(b"left behind"))
    fresh = storage.save(new_key(), ContentFile(b"being committed"))
    old = time.time() - 2 * 3600
    os.utime(storage.path(orphan), (old, old))
    os.utime(storage.path(document.current.file.name), (old, old))
    assert services.documents_sweep_orphans() >= 1  # (and what earlier tests left)
    files = stored_files()
    assert orphan not in files
    assert {fresh, document.current.file.name} <= files
