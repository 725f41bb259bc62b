"""The contacts import: rows find their contact by customer and email (or name), roles are
named in one cell, bad rows say why and nothing is written; re-importing is unchanged."""

import pytest

from customers import services_contacts
from customers.models_contacts import Contact, ContactRole
from tests.factories import CustomerFactory

from .conftest import actions, csv_file, last_job, messages_of

pytestmark = pytest.mark.django_db

FILE = (
    "customer,name,email,phone,roles,preferred_channel\n"
    'ACME-1,Jane Payer,JANE@acme.example,+1 202 555 0199,"Billing, primary",Email\n'
    "Acme Corp,Tom Tech,,,Technical,\n"
)


def test_contacts_are_imported_with_roles_and_history_then_unchanged(
    staff, upload, confirm, in_tenant
):
    acme = CustomerFactory(name="Acme Corp", external_id="ACME-1", contact_name="")
    existing = services_contacts.contact_create(
        customer=acme, actor=None, name="Jane Old Name", email="jane@acme.example"
    )
    upload(staff, "contacts", csv_file(FILE))
    job = last_job()
    assert actions(job) == {2: "update", 3: "new"}
    confirm(staff, job)
    existing.refresh_from_db()
    assert existing.name == "Jane Payer" and existing.preferred_channel == "email"
    assert {r.key for r in existing.roles.all()} == {"primary", "billing"}
    assert existing.roles_label == "Primary, Billing"
    tom = Contact.objects.get(name="Tom Tech")
    assert tom.customer == acme and [r.key for r in tom.roles.all()] == ["technical"]
    assert tom.history.get().history_user == staff.user
    upload(staff, "contacts", csv_file(FILE))
    assert set(actions(last_job()).values()) == {"unchanged"}


def test_bad_rows_are_reported_and_nothing_is_written(staff, upload, confirm, in_tenant):
    CustomerFactory(name="Acme Corp", external_id="ACME-1", contact_name="")
    upload(
        staff,
        "contacts",
        csv_file(
            "customer,name,email,roles\n"
            "ACME-1,Good Row,good@acme.example,Billing\n"
            "ACME-1,Bad Role,bad@acme.example,Astronaut\n"
            "NOPE,Lost,lost@acme.example,\n"
            "ACME-1,Bad Mail,not-an-email,\n"
        ),
    )
    job = last_job()
    assert actions(job) == {2: "new", 3: "error", 4: "error", 5: "error"}
    assert "Astronaut" in messages_of(job, 3)[0][1]
    confirm(staff, job)
    assert not Contact.objects.exists()
    assert ContactRole.objects.filter(name__iexact="astronaut").count() == 0
