"""The activity's services: notes, calls and meetings, tasks; history with the actor; who may
change what; bad input refused with a clear message and nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.models import StaffRole
from activity import services
from activity.models import Entry
from customers.access import staff_customer_access_set
from customers.models_contacts import Contact
from tests.factories import AssetFactory, CustomerFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def note(actor, record, body="A note", **fields):
    return services.note_create(
        actor=actor, record_type=record._meta.model_name, record_id=record.pk, body=body, **fields
    )


def task(actor, record, **fields):
    fields = {"title": "Call back", "assignee_id": actor.pk, "due_date": TOMORROW, **fields}
    return services.task_create(
        actor=actor, record_type=record._meta.model_name, record_id=record.pk, **fields
    )


def test_a_note_is_rendered_once_and_recorded_with_its_author(staff, customer):
    entry = note(staff, customer, body="**Quarterly** check-in done")
    assert entry.body_html == "<p><strong>Quarterly</strong> check-in done</p>\n"
    record = entry.history.get()
    assert (record.history_user, record.history_change_reason) == (staff, "Note added")
    assert entry.author == staff and entry.kind == "note"


def test_notes_go_on_locations_and_assets_too(staff):
    location = LocationFactory()
    asset = AssetFactory(location=location)
    assert note(staff, location).location == location
    assert note(staff, asset).asset == asset


@pytest.mark.parametrize("body", ["", "   ", "\n\n"])
def test_an_empty_note_is_refused_and_nothing_written(staff, customer, body):
    with pytest.raises(ValidationError, match="the note is empty"):
        note(staff, customer, body=body)
    assert not Entry.objects.exists()


def test_mentioned_staff_get_an_email_after_commit(
    staff, customer, django_capture_on_commit_callbacks
):
    ana = UserFactory(role=StaffRole.STAFF, email="ana@alpha.example", first_name="Ana")
    with django_capture_on_commit_callbacks(execute=True):
        entry = note(staff, customer, body="@ana please renew, and @sam.staff too")
    assert set(entry.mentions.all()) == {ana, staff}  # mentioned; the author is not mailed
    assert [m.to for m in mail.outbox] == [["ana@alpha.example"]]
    assert "mentioned you" in mail.outbox[0].subject and "please renew" in mail.outbox[0].body


def test_editing_a_note_mails_only_the_newly_mentioned(
    staff, customer, django_capture_on_commit_callbacks
):
    UserFactory(role=StaffRole.STAFF, email="ana@alpha.example")
    UserFactory(role=StaffRole.STAFF, email="bo@alpha.example")
    with django_capture_on_commit_callbacks(execute=True):
        entry = note(staff, customer, body="@ana")
    with django_capture_on_commit_callbacks(execute=True):
        services.note_update(actor=staff, entry_id=entry.pk, body="@ana and @bo")
    assert [m.to for m in mail.outbox] == [["ana@alpha.example"], ["bo@alpha.example"]]
    assert entry.history.first().history_change_reason == "Note edited"


def test_only_the_author_or_an_admin_edits_or_deletes_a_note(staff, admin, customer):
    other = UserFactory(role=StaffRole.STAFF)
    entry = note(staff, customer)
    with pytest.raises(PermissionDenied):
        services.note_update(actor=other, entry_id=entry.pk, body="mine now")
    with pytest.raises(PermissionDenied):
        services.entry_delete(actor=other, entry_id=entry.pk)
    services.note_update(actor=admin, entry_id=entry.pk, body="fixed a typo")
    services.entry_delete(actor=admin, entry_id=entry.pk)
    assert not Entry.objects.exists()
    deleted = Entry.history.filter(id=entry.pk).first()
    assert (deleted.history_type, deleted.history_user) == ("-", admin)


def test_viewers_read_but_do_not_write(viewer, customer):
    with pytest.raises(Http404):
        note(viewer, customer)


def test_another_company_out_of_a_limited_users_reach_is_a_404(in_tenant, customer):
    limited = UserFactory(role=StaffRole.STAFF)
    mine = CustomerFactory()
    staff_customer_access_set(
        member=limited,
        access="assigned",
        teams=[],
        customers=[mine],
        actor=UserFactory(role=StaffRole.OWNER),
    )
    note(limited, mine)
    with pytest.raises(Http404):
        note(limited, customer)


def test_a_call_is_logged_with_its_contact_duration_and_outcome(staff, customer):
    contact = Contact.objects.create(customer=customer, name="Pat Buyer")
    when = timezone.now() - datetime.timedelta(hours=2)
    entry = services.call_log(
        actor=staff,
        record_type="customer",
        record_id=customer.pk,
        kind="meeting",
        occurred_at=when,
        duration_minutes=45,
        contact_id=contact.pk,
        outcome="Renewal agreed",
        body="Notes from the meeting",
    )
    assert (entry.kind, entry.occurred_at, entry.duration_minutes) == ("meeting", when, 45)
    assert (entry.contact, entry.outcome) == (contact, "Renewal agreed")
    assert entry.history.get().history_change_reason == "Meeting logged"


def test_a_call_with_another_customers_contact_is_refused(staff, customer):
    elsewhere = Contact.objects.create(customer=CustomerFactory(), name="Not theirs")
    with pytest.raises(ValidationError, match="this customer's contacts"):
        services.call_log(
            actor=staff, record_type="customer", record_id=customer.pk, contact_id=elsewhere.pk
        )
    assert not Entry.objects.exists()


def test_a_task_is_assigned_completed_and_reopened_with_who_and_when(staff, admin, customer):
    entry = task(staff, customer, assignee_id=admin.pk)
    assert (entry.assignee, entry.due_date, entry.completed_at) == (admin, TOMORROW, None)
    done = services.task_complete(actor=admin, entry_id=entry.pk)
    assert done.completed_by == admin and done.completed_at is not None
    services.task_complete(actor=admin, entry_id=entry.pk)  # twice: nothing more
    reopened = services.task_reopen(actor=staff, entry_id=entry.pk)
    assert (reopened.completed_at, reopened.completed_by) == (None, None)
    reasons = list(
        entry.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons == [f"Task for {admin}", "Task done", "Task reopened"]
    services.task_assign(actor=staff, entry_id=entry.pk, assignee_id=staff.pk)
    assert Entry.objects.get(pk=entry.pk).assignee == staff


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "needs a title"),
        ({"due_date": "next tuesday"}, "valid due date"),
        ({"due_date": datetime.date(1900, 1, 1)}, "between 2000 and 2200"),
        ({"assignee_id": None}, "Choose who does the task"),
        ({"assignee_id": 999999}, "active member of your team"),
        ({"assignee_id": "abc"}, "active member of your team"),
        ({"remind_at": "soon"}, "valid reminder"),
    ],
)
def test_bad_task_input_is_refused_with_a_clear_message(staff, customer, fields, message):
    with pytest.raises(ValidationError, match=message):
        task(staff, customer, **fields)
    assert not Entry.objects.exists()


def test_a_customer_user_or_an_inactive_user_is_no_assignee(staff, customer, in_tenant):
    from tests.factories import MembershipFactory

    portal_user = MembershipFactory(customer=customer).user
    inactive = UserFactory(role=StaffRole.STAFF, is_active=False)
    for assignee in (portal_user, inactive):
        with pytest.raises(ValidationError, match="active member of your team"):
            task(staff, customer, assignee_id=assignee.pk)
    assert not Entry.objects.exists()


def test_a_limited_colleague_who_cannot_see_the_customer_is_no_assignee(staff, customer):
    limited = UserFactory(role=StaffRole.STAFF, first_name="Lim")
    staff_customer_access_set(
        member=limited,
        access="assigned",
        teams=[],
        customers=[CustomerFactory()],
        actor=UserFactory(role=StaffRole.OWNER),
    )
    with pytest.raises(ValidationError, match="cannot see"):
        task(staff, customer, assignee_id=limited.pk)


def test_a_new_reminder_time_is_sent_again(staff, customer):
    entry = task(staff, customer, remind_at=timezone.now())
    Entry.objects.filter(pk=entry.pk).update(reminder_sent_at=timezone.now())
    later = timezone.now() + datetime.timedelta(days=1)
    updated = services.task_update(actor=staff, entry_id=entry.pk, data={"remind_at": later})
    assert (updated.remind_at, updated.reminder_sent_at) == (later, None)


def test_sharing_is_recorded(staff, customer):
    entry = note(staff, customer)
    services.entry_set_shared(actor=staff, entry_id=entry.pk, shared=True)
    assert Entry.objects.get(pk=entry.pk).shared_with_portal
    assert entry.history.first().history_change_reason == "Shared with the company"


def test_a_mentioned_colleague_who_cannot_see_the_customer_gets_no_email(
    staff, customer, django_capture_on_commit_callbacks
):
    limited = UserFactory(role=StaffRole.STAFF, email="lim@alpha.example")
    staff_customer_access_set(
        member=limited,
        access="assigned",
        teams=[],
        customers=[CustomerFactory()],
        actor=UserFactory(role=StaffRole.OWNER),
    )
    with django_capture_on_commit_callbacks(execute=True):
        note(staff, customer, body="@lim see this")
    assert mail.outbox == []
