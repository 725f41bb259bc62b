"""Where documents reach beyond their own pages: the portal's "See shared documents"
permission (granted by role, by a Limited user's Documents section, or by a custom set a
company admin builds), the customer page's History tab (uploads, versions, sharing,
archiving) and the nightly sweep of orphaned files as a periodic task."""

from __future__ import annotations

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from procrastinate.contrib.django import app

from accounts.models import StaffRole
from documents import services
from documents.storage import documents_storage, new_key
from documents.tasks import sweep_orphaned_files
from portal.policies import permissions_of
from tests.factories import CustomerFactory, LocationFactory, PermissionSetFactory, UserFactory

from .helpers import pdf, stored_files

pytestmark = pytest.mark.django_db


def make(record, **fields):
    return services.document_create(
        actor=UserFactory(role=StaffRole.OWNER),
        record_type=record._meta.model_name,
        record_id=record.pk,
        file=pdf(),
        **fields,
    )


# --- The portal permission ------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, fields, sees",
    [
        ("admin", {}, True),
        ("full", {}, True),
        ("read_only", {}, True),
        ("limited", {"sections": ["overview", "documents"]}, True),
        ("limited", {"sections": ["overview"]}, False),
    ],
)
def test_shared_documents_need_the_see_documents_permission(
    in_tenant, portal_client, role, fields, sees
):
    company = CustomerFactory()
    document = make(company, title="Signed contract", shared_with_portal=True)
    client = portal_client(company, role=role, **fields)
    listing = client.get(reverse("portal:documents", args=[company.pk]))
    download = client.get(reverse("portal:document_download", args=[company.pk, document.pk]))
    if sees:
        assert listing.status_code == 200 and "Signed contract" in listing.content.decode()
        assert download.status_code == 200
    else:
        assert (listing.status_code, download.status_code) == (403, 403)
    overview = client.get(reverse("portal:overview", args=[company.pk])).content.decode()
    assert (reverse("portal:documents", args=[company.pk]) in overview) is sees


def test_a_company_admin_grants_documents_through_a_custom_set(in_tenant, portal_client):
    company = CustomerFactory()
    make(company, title="Signed contract", shared_with_portal=True)
    without = PermissionSetFactory(customer=company, permissions=["view_overview"])
    with_docs = PermissionSetFactory(
        customer=company, permissions=["view_overview", "view_documents"]
    )
    listing = reverse("portal:documents", args=[company.pk])
    denied = portal_client(company, role="custom", permission_set=without)
    allowed = portal_client(company, role="custom", permission_set=with_docs)
    assert denied.get(listing).status_code == 403
    assert "Signed contract" in allowed.get(listing).content.decode()
    assert "view_documents" in permissions_of(allowed.membership)


# --- The customer's History tab ---------------------------------------------------------------


def test_the_history_tab_shows_the_customers_documents_history(client_as):
    viewer = client_as(StaffRole.VIEWER)
    customer = CustomerFactory()
    document = make(customer, title="Master agreement")
    admin = UserFactory(role=StaffRole.ADMIN)
    services.document_version_add(actor=admin, document_id=document.pk, file=pdf("v2.pdf"))
    services.document_set_shared(actor=admin, document_id=document.pk, shared=True)
    make(LocationFactory(customer=customer), title="Site plan")
    make(CustomerFactory(), title="Someone else's")
    page = viewer.get(reverse("customers:customer_history", args=[customer.pk]))
    html = page.content.decode()
    # The customer's document (uploaded, new version, shared) and its location's (uploaded).
    assert html.count("Uploaded contract.pdf") == 2
    assert "Version 2: v2.pdf" in html
    assert "Someone else" not in html


# --- The sweep as a periodic task ---------------------------------------------------------------


def test_the_orphan_sweep_is_a_nightly_periodic_task():
    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["documents.tasks.sweep_orphaned_files"] == "53 3 * * *"


def test_the_periodic_sweep_removes_old_orphans_in_every_tenant(in_tenant):
    storage = documents_storage()
    orphan = storage.save(new_key(), ContentFile(b"left behind"))
    old = time.time() - 2 * 3600
    os.utime(storage.path(orphan), (old, old))
    assert sweep_orphaned_files(timestamp=int(time.time())) >= 1
    assert orphan not in stored_files()
