"""Export and erasure on request (privacy.services): everything about one person, across
apps, and nothing of anyone else; after the erasure, no trace of them in the tenant's
schema; the last owner and oneself are refused; the erasure is recorded without the data."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import SignInEvent, User
from assets.models import Asset
from customers.models import Contact
from portal.models import JoinRequest
from privacy import services
from privacy.models import ErasureRecord
from tests.factories import CustomerFactory, UserFactory

from .helpers import OTHER, make_alicia, scan_schema


@pytest.fixture
def owner(in_tenant):
    return UserFactory(role="owner", email="the.owner@alpha.example")


def test_export_holds_the_persons_rows_across_apps_and_nothing_of_another_person(owner):
    alicia, made = make_alicia(actor=owner)
    name, content_type, content = services.person_export(email=alicia.email.upper())
    assert content_type == "application/json" and name.endswith(".json")
    document = json.loads(content)
    records = document["records"]
    for label in (
        "accounts.User",
        "accounts.HistoricalUser",
        "accounts.SignInEvent",
        "accounts.ApiToken",
        "account.EmailAddress",
        "customers.Contact",
        "customers.HistoricalContact",
        "portal.JoinRequest",
        "locations.HistoricalLocation",
        "webhooks.WebhookDelivery",
    ):
        assert records.get(label), label
    assert {r["ip_address"] for r in records["accounts.SignInEvent"]} == {alicia.ip}
    contacts = records["customers.Contact"]
    assert {contact["customer"] for contact in contacts} == {
        made["customer"].pk,
        made["other_company"].pk,
    }
    assert alicia.phone in {str(contact["phone"]) for contact in contacts}
    text = content.decode()
    assert OTHER["email"] not in text and OTHER["name"] not in text  # the billing contact
    assert "password" not in records["accounts.User"][0] and "key_hash" not in text


def test_erase_leaves_no_trace_in_the_schema_and_is_recorded_without_the_data(owner):
    alicia, made = make_alicia(actor=owner)
    assert len(scan_schema(alicia.traces)) > 10  # the scan finds them before

    record = services.person_erase(email=alicia.email, reason="Request by letter", actor=owner)

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what commit would check
    assert scan_schema(alicia.traces) == []
    assert record.rows["account.EmailConfirmation"] == 1
    assert record.actor == owner and record.reason == "Request by letter"
    assert record.rows["accounts.User"] == 1 and record.rows["customers.HistoricalContact"] >= 1
    assert record.accounts_deactivated == 1
    stored = json.dumps([record.reason, record.rows]).lower()
    assert "alicia" not in stored and "quixotely" not in stored
    user = User.objects.get(pk=alicia.user.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.history.latest().history_change_reason == services.ERASURE_REASON
    assert SignInEvent.objects.filter(user=user).count() == 1  # kept, without the data
    primary = Contact.objects.get(customer=made["customer"], roles__key="primary")
    assert (primary.name, primary.email, str(primary.phone)) == ("", "", "")
    billing = Contact.objects.get(customer=made["customer"], roles__key="billing")
    assert billing.email == OTHER["email"]  # another person's stays
    assert primary.history.count() == 1  # its history row stays, erased too
    assert not JoinRequest.objects.filter(customer=made["other_company"]).exists()
    # Her contact row's custom fields went with her; the asset's value lost only her name.
    contact = Contact.objects.get(customer=made["other_company"])
    assert contact.custom_field_data == {} and contact.name == ""
    asset = Asset.objects.get(location=made["location"])
    assert asset.custom_field_data == {"handler": "[erased] (keys)"}


def test_another_tenant_and_other_people_are_untouched(owner, tenant, other_tenant):
    connection.set_tenant(other_tenant)
    twin = CustomerFactory(
        contact_email="alicia.quixotely@people.example", contact_name="Alicia Quixotely"
    )
    connection.set_tenant(tenant)
    alicia, _ = make_alicia(actor=owner)
    services.person_erase(email=alicia.email, reason="Request by letter", actor=owner)
    assert scan_schema([OTHER["email"], OTHER["name"], owner.email])
    connection.set_tenant(other_tenant)
    assert twin.contacts.get().name == "Alicia Quixotely"
    assert scan_schema(["alicia.quixotely@people.example"])
    connection.set_tenant(tenant)


def test_the_last_owner_and_oneself_are_refused(owner):
    User.objects.filter(role="owner").exclude(pk=owner.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="last owner"):
        services.person_erase(email=owner.email, reason="Asked", actor=UserFactory(role="admin"))
    with pytest.raises(ValidationError, match="your own account"):
        services.person_erase(email=owner.email, reason="Asked", actor=owner)
    assert User.objects.get(pk=owner.pk).is_active
    second = UserFactory(role="owner")
    services.person_erase(email=owner.email, reason="Asked", actor=second)
    assert not User.objects.get(pk=owner.pk).is_active
    assert not ErasureRecord.objects.filter(actor=owner).exists()


def test_a_reason_repeating_the_person_or_an_unknown_address_is_refused(owner):
    alicia, _ = make_alicia(actor=owner)
    with pytest.raises(ValidationError, match="out of the reason"):
        services.person_erase(email=alicia.email, reason="Alicia Quixotely asked", actor=owner)
    with pytest.raises(ValidationError, match="Nothing is held"):
        services.person_erase(email="nobody@nowhere.example", reason="Asked", actor=owner)
    with pytest.raises(ValidationError, match="email address"):
        services.person_erase(email="not an address", reason="Asked", actor=owner)
    assert User.objects.get(pk=alicia.user.pk).email == alicia.email
    assert not ErasureRecord.objects.exists()


def test_an_export_with_files_is_a_zip_of_the_json_and_the_files(in_tenant):
    """No registered person's row points to an uploaded file today (company logos are the
    company's); the export is ready for one: the rows' file fields go into a zip."""
    import io
    import zipfile

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    path = default_storage.save("alpha/exports-test/portrait.png", ContentFile(b"PNGDATA"))
    rows = {"portal.CompanyProfile": [{"id": 7, "logo": path}], "accounts.User": [{"id": 1}]}
    name, content_type, content = services.export_file(email="x@example.com", rows=rows)
    assert content_type == "application/zip" and name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.read("files/portal.CompanyProfile/7/portrait.png") == b"PNGDATA"
    assert json.loads(archive.read("personal-data.json"))["records"] == rows
    default_storage.delete(path)


def test_queued_and_sent_emails_to_the_person_lose_them(owner, tenant):
    """The task queue (public schema) keeps an email's recipient and body after sending; a
    waiting email to the person is cancelled. Another tenant's job is not touched."""
    alicia, _ = make_alicia(actor=owner)
    ids = {}
    with connection.cursor() as cursor:
        for key, schema, status in (
            ("sent", tenant.schema_name, "succeeded"),
            ("waiting", tenant.schema_name, "todo"),
            ("elsewhere", "beta", "succeeded"),
        ):
            args = {
                "schema_name": schema,
                "to": [alicia.email],
                "subject": "Welcome",
                "body": f"Hello {alicia.full_name}",
            }
            cursor.execute(
                "INSERT INTO public.procrastinate_jobs (queue_name, task_name, args, status) "
                "VALUES ('emails', 'accounts.tasks.send_email', %s, %s) RETURNING id",
                [json.dumps(args), status],
            )
            ids[key] = cursor.fetchone()[0]

    record = services.person_erase(email=alicia.email, reason="Asked", actor=owner)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, status, args::text FROM public.procrastinate_jobs WHERE id = ANY(%s)",
            [list(ids.values())],
        )
        jobs = {row[0]: row[1:] for row in cursor.fetchall()}
    assert jobs[ids["waiting"]][0] == "cancelled"
    for key in ("sent", "waiting"):
        assert alicia.email not in jobs[ids[key]][1] and alicia.full_name not in jobs[ids[key]][1]
    assert alicia.email in jobs[ids["elsewhere"]][1]
    assert record.rows["procrastinate.ProcrastinateJob"] == 2
