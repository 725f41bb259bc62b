"""The portal shows only entries explicitly shared with the company; an attacker guessing ids
or pages finds nothing else (other companies', unshared ones)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activity import services
from tests.factories import AssetFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


def note(staff, record, body, shared):
    return services.note_create(
        actor=staff,
        record_type=record._meta.model_name,
        record_id=record.pk,
        body=body,
        shared_with_portal=shared,
    )


def test_portal_users_see_shared_entries_only(staff, customer, portal_client):
    note(staff, customer, "Shared renewal summary", True)
    note(staff, customer, "Internal: they are price sensitive", False)
    location = LocationFactory(customer=customer, name="Depot")
    note(staff, location, "Shared site visit", True)
    asset = AssetFactory(owner=customer, location=None)
    note(staff, asset, "Internal asset remark", False)
    other = CustomerFactory(name="Other Co")
    note(staff, other, "Other company's shared note", True)
    client = portal_client(customer, role="admin")
    html = client.get(reverse("portal:activity", args=[customer.pk])).content.decode()
    assert "Shared renewal summary" in html and "Shared site visit" in html
    assert "price sensitive" not in html and "Internal asset remark" not in html
    assert "Other company" not in html


def test_another_companys_activity_page_is_a_404(staff, customer, portal_client):
    other = CustomerFactory()
    note(staff, other, "Theirs", True)
    client = portal_client(customer)
    assert client.get(reverse("portal:activity", args=[other.pk])).status_code == 404


def test_unsharing_removes_it_from_the_portal(staff, customer, portal_client):
    entry = note(staff, customer, "Briefly shared", True)
    services.entry_set_shared(actor=staff, entry_id=entry.pk, shared=False)
    html = portal_client(customer).get(reverse("portal:activity", args=[customer.pk])).content
    assert b"Briefly shared" not in html


def test_portal_users_reach_no_console_or_api_route_of_an_entry(staff, customer, portal_client):
    hidden = note(staff, customer, "Internal only", False)
    client = portal_client(customer, role="admin")
    for url in (
        reverse("activity:entry_update", args=[hidden.pk]),
        reverse("activity:entry_delete", args=[hidden.pk]),
        reverse("customers:customer_activity", args=[customer.pk]),
        reverse("activity:my_tasks"),
    ):
        assert client.get(url).status_code in (403, 404)
        assert b"Internal only" not in client.get(url).content
    for pk in range(hidden.pk - 2, hidden.pk + 3):  # guessing ids
        response = client.post(reverse("activity:entry_share", args=[pk]))
        assert response.status_code in (403, 404)
    hidden.refresh_from_db()
    assert not hidden.shared_with_portal
    api = client.get(reverse("api:activity-entry-detail", args=[hidden.pk]))
    assert api.status_code in (403, 404)
