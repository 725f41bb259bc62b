"""The customers import: the dry run classifies every row and writes nothing; the import is
all or nothing, upserts by external ID or name, records history and sends webhook events."""

import pytest

from customers.models import Customer
from fields.models import CustomField
from imports.models import ImportStatus
from imports.services import import_job_run
from tests.factories import CustomerFactory

from .conftest import actions, csv_file, last_job, messages_of

pytestmark = pytest.mark.django_db


def test_dry_run_classifies_every_row_and_writes_nothing(staff, upload, in_tenant):
    CustomerFactory(name="Same Co", external_id="S-1", industry="Retail", country="US")
    CustomerFactory(name="Changed Co", external_id="C-1", industry="Retail", country="US")
    before = Customer.objects.count()
    text = (
        "name,external_id,industry,country,company_email\n"
        "Fresh Co,F-1,Retail,US,info@fresh.example\n"
        "Changed Co,c-1,Energy,US,\n"
        "Same Co,S-1,Retail,US,info@customer.example\n"
        "Broken Co,B-1,Retail,Narnia,not-an-email\n"
    )
    same = Customer.objects.get(external_id="S-1")
    text = text.replace("info@customer.example", same.company_email)
    response = upload(staff, "customers", csv_file(text))
    job = last_job()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == ImportStatus.READY
    assert actions(job) == {2: "new", 3: "update", 4: "unchanged", 5: "error"}
    assert (job.new_count, job.update_count, job.unchanged_count, job.error_count) == (1, 1, 1, 1)
    columns = dict(messages_of(job, 5))
    assert "Unknown country" in columns["country"]
    assert "valid email" in columns["company_email"]
    assert Customer.objects.count() == before
    page = staff.get(job.get_absolute_url())
    assert "Unknown country" in page.content.decode()
    assert not job.can_confirm


def test_confirm_imports_with_history_and_upserts_by_external_id_or_name(
    staff, upload, confirm, in_tenant
):
    by_id = CustomerFactory(name="Old Name", external_id="EXT-9")
    by_name = CustomerFactory(name="Named Co", external_id="")
    text = (
        "Customer name,External ID,Business type,Company phone\n"
        "New Name,ext-9,Enterprise,+44 20 7946 0000\n"
        "named co,,startup,\n"
        "Brand New,N-1,smb,+1 202 555 0100\n"
    )
    upload(staff, "customers", csv_file(text))
    job = last_job()
    assert actions(job) == {2: "update", 3: "update", 4: "new"}
    version = by_id.version
    response = confirm(staff, job)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error_summary
    by_id.refresh_from_db()
    by_name.refresh_from_db()
    assert by_id.name == "New Name" and by_id.business_type == "enterprise"
    assert by_id.company_phone.as_e164 == "+442079460000"
    assert by_id.version == version + 1
    assert by_name.business_type == "startup"
    new = Customer.objects.get(external_id="N-1")
    assert "brand new" in new.search_text
    record = new.history.get()
    assert record.history_user == staff.user and record.history_change_reason == "Imported"
    assert by_id.history.latest().history_user == staff.user
    assert Customer.objects.filter(name="New Name").count() == 1


def test_imported_rows_send_webhook_events_with_their_changes(
    staff, upload, confirm, in_tenant, settings
):
    from tests.webhooks.receivers import Receiver
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the operator allows the receiver
    hook = Receiver()
    WebhookEndpoint.objects.create(url=hook.url, events=["customer.created", "customer.updated"])
    existing = CustomerFactory(name="Old Name", external_id="EXT-9", business_type="smb")
    text = (
        "Customer name,External ID,Business type\n"
        "Old Name,EXT-9,Enterprise\n"
        "Brand New,N-1,smb\n"
        "Unchanged Ltd,U-1,smb\n"
    )
    CustomerFactory(name="Unchanged Ltd", external_id="U-1", business_type="smb")
    upload(staff, "customers", csv_file(text))
    assert not WebhookDelivery.objects.exists()  # the dry run sends nothing
    confirm(staff, last_job())
    events = {d.event: d.payload for d in WebhookDelivery.objects.all()}
    assert set(events) == {"customer.created", "customer.updated"}
    assert events["customer.updated"]["object"]["id"] == existing.pk
    assert events["customer.updated"]["changes"] == [
        {"field": "business_type", "old": "smb", "new": "enterprise"}
    ]
    created = Customer.objects.get(external_id="N-1")
    assert events["customer.created"]["object"] == {
        "type": "customer", "id": created.pk, "name": "Brand New"
    }  # fmt: skip
    hook.close()
    assert len(hook.received) == 2  # delivered once the import committed


def test_an_error_found_at_commit_time_writes_nothing(staff, upload, in_tenant):
    target = CustomerFactory(name="Target", external_id="T-1")
    upload(staff, "customers", csv_file("name,external_id\nAll Good,G-1\nTarget,T-1\n"))
    job = last_job()
    assert job.error_count == 0 and job.can_confirm
    # Between the check and the confirm, someone deletes the customer the file updates.
    target.deleted_at = target.created_at
    target.save()
    job.status = ImportStatus.RUNNING
    job.save()
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "Nothing was imported" in job.error_summary
    assert actions(job)[3] == "error"
    assert not Customer.objects.filter(external_id="G-1").exists()


def test_confirm_is_refused_while_rows_are_in_error(staff, upload, confirm, in_tenant):
    upload(staff, "customers", csv_file("name,country\nOk Co,US\nBad Co,XX\n"))
    job = last_job()
    response = confirm(staff, job)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert not Customer.objects.filter(name="Ok Co").exists()


def test_duplicate_keys_in_the_file_name_the_first_line(staff, upload, in_tenant):
    text = "name,external_id\nFirst,D-1\nSecond,d-1\nTwin Co,\ntwin co,\n"
    upload(staff, "customers", csv_file(text))
    job = last_job()
    assert actions(job) == {2: "new", 3: "error", 4: "new", 5: "error"}
    assert "line 2" in messages_of(job, 3)[0][1]
    assert "line 4" in messages_of(job, 5)[0][1]


def test_a_soft_deleted_customer_is_neither_revived_nor_updated(staff, upload, in_tenant):
    gone = CustomerFactory(name="Gone Co", external_id="G-9")
    gone.deleted_at = gone.created_at
    gone.save()
    upload(staff, "customers", csv_file("name,external_id\nGone Co,G-9\n"))
    job = last_job()
    assert actions(job) == {2: "error"}
    assert (
        "deleted" in messages_of(job, 2)[0][1] and "restore it first" in messages_of(job, 2)[0][1]
    )


def test_history_records_hold_what_was_written(staff, upload, confirm, in_tenant):
    """History is copied from the written rows: a new record's '+' and an update's '~' hold
    the saved values, the importer and the reason; unchanged rows get none."""
    kept = CustomerFactory(name="Kept Co", external_id="K-1", industry="Retail", city="Oslo")
    changed = CustomerFactory(name="Changed Co", external_id="C-2", industry="Retail")
    text = (
        "name,external_id,industry,city,company_phone\n"
        f"Kept Co,K-1,Retail,Oslo,{kept.company_phone or ''}\n"
        "Changed Co,C-2,Energy,,+44 20 7946 0000\n"
        "Fresh Co,F-2,Energy,Bergen,+1 202 555 0100\n"
    )
    upload(staff, "customers", csv_file(text))
    job = last_job()
    assert actions(job) == {2: "unchanged", 3: "update", 4: "new"}
    confirm(staff, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error_summary
    assert kept.history.count() == 1
    latest = changed.history.latest()
    assert (latest.history_type, latest.industry, latest.company_phone.as_e164) == (
        "~",
        "Energy",
        "+442079460000",
    )
    assert latest.history_user == staff.user and latest.history_change_reason == "Imported"
    assert latest.version == changed.version + 1
    fresh = Customer.objects.get(external_id="F-2")
    record = fresh.history.get()
    assert (record.history_type, record.name, record.city, record.id) == (
        "+",
        "Fresh Co",
        "Bergen",
        fresh.pk,
    )
    assert fresh.created_at == record.history_date
    assert record.company_phone.as_e164 == "+12025550100" and "12025550100" in fresh.phone_digits


def test_custom_fields_are_imported_by_key_or_label(staff, upload, confirm, in_tenant):
    """The old key: value attributes are typed custom fields now (tests/fields covers each
    type); a file may name a field's column by its label."""
    CustomField.objects.create(
        object_kind="customer",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["Silver", "Gold"],
    )
    CustomField.objects.create(
        object_kind="customer", key="account_manager", label="Account manager", field_type="text"
    )
    existing = CustomerFactory(
        name="Tiered Co", external_id="T-1", custom_field_data={"tier": "Silver"}
    )
    text = (
        "Customer name,External ID,Tier,cf_account_manager\n"
        "Tiered Co,T-1,gold,Jane Doe: Senior\n"
        "Fresh Co,F-1,,\n"
        "Broken Co,B-1,Platinum,\n"
    )
    upload(staff, "customers", csv_file(text))
    job = last_job()
    assert actions(job) == {2: "update", 3: "new", 4: "error"}
    assert messages_of(job, 4)[0][0] == "cf_tier"
    assert "not one of the choices of Tier" in messages_of(job, 4)[0][1]
    upload(staff, "customers", csv_file("\n".join(text.splitlines()[:3]) + "\n"))
    confirm(staff, last_job())
    existing.refresh_from_db()
    assert existing.custom_field_data == {"tier": "Gold", "account_manager": "Jane Doe: Senior"}
    assert Customer.objects.get(external_id="F-1").custom_field_data == {}


def test_a_new_row_with_a_known_contacts_address_is_noted_as_a_likely_duplicate(
    staff, upload, confirm, in_tenant
):
    from customers.services_contacts import contact_create

    acme = CustomerFactory(name="Acme Corporation")
    contact_create(customer=acme, actor=None, name="Ada", email="Ada@Acme.example")
    text = (
        "name,external_id,contact_email\n"
        "ACME Corp (EU),E-1,ada@acme.example\n"
        "Fresh Co,F-1,info@fresh.example\n"
    )
    upload(staff, "customers", csv_file(text))
    job = last_job()
    assert actions(job) == {2: "new", 3: "new"} and job.can_confirm  # a note, not an error
    [[column, message]] = messages_of(job, 2)
    assert column == "contact_email" and f"Acme Corporation (#{acme.pk})" in message
    assert messages_of(job, 3) == []
    assert "merge the two after the import" in staff.get(job.get_absolute_url()).content.decode()


def test_the_primary_and_billing_contact_columns_become_contacts(staff, upload, confirm, in_tenant):
    """contact_* and billing_* are the customer's contacts with the Primary and Billing roles:
    added with history for a new customer and for an existing one that lacks them; a person
    the customer already has is unchanged; a bad address is an error on its column."""
    from customers.models import Contact

    known = CustomerFactory(name="Known Co", external_id="K-1", contact_name="Kay Known")
    Contact.objects.filter(customer=known).update(email="kay@known.example")
    text = (
        "name,external_id,contact_name,contact_email,contact_phone,billing_email\n"
        "Fresh Co,F-1,Fay Fresh,fay@fresh.example,+44 20 7946 0000,ap@fresh.example\n"
        "Known Co,K-1,Kay Known,KAY@known.example,,\n"
        "Known Co Two,K-2,,,,\n"
        "Bad Co,B-1,Bo,not-an-email,12,\n"
    )
    CustomerFactory(name="Known Co Two", external_id="K-2")
    upload(staff, "customers", csv_file(text))
    job = last_job()
    assert actions(job) == {2: "new", 3: "unchanged", 4: "unchanged", 5: "error"}
    columns = dict(messages_of(job, 5))
    assert "valid email" in columns["contact_email"] and "phone" in columns["contact_phone"]

    text = text.replace(
        "Kay Known,KAY@known.example,,", "Kay Known,KAY@known.example,,pay@k.example"
    )
    upload(staff, "customers", csv_file("\n".join(text.splitlines()[:4]) + "\n"))
    job = last_job()
    assert actions(job) == {2: "new", 3: "update", 4: "unchanged"}
    confirm(staff, job)
    fresh = Customer.objects.get(external_id="F-1")
    people = {
        (c.name, c.email, c.phone.as_e164 if c.phone else "", c.roles_label)
        for c in Contact.objects.filter(customer=fresh)
    }
    assert people == {
        ("Fay Fresh", "fay@fresh.example", "+442079460000", "Primary"),
        ("ap@fresh.example", "ap@fresh.example", "", "Billing"),
    }
    payer = Contact.objects.get(customer=known, email="pay@k.example")
    assert payer.roles_label == "Billing"
    record = payer.history.get()
    assert (record.history_user, record.history_change_reason) == (staff.user, "Imported")
    assert known.history.count() == 1  # the customer itself did not change
    # The full export leaves the contact columns out (contacts have their own export).
    from django.urls import reverse

    url = reverse("imports:full_export", kwargs={"kind": "customers"})
    export = b"".join(staff.get(url).streaming_content).decode()
    assert "contact_name" not in export.splitlines()[0]
