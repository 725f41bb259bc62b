"""The activity pages: adding entries from the forms (bad input: a message, nothing written),
who may edit what, My tasks (overdue first, ticked done with htmx) and the attention panel."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from activity import services
from activity.attention import tasks_due
from activity.models import Entry
from core.scope import scope_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def add_url(record, kind):
    return reverse("activity:entry_add", args=[record._meta.model_name, record.pk, kind])


def make_task(actor, customer, *, due, title="Task", assignee=None):
    return services.task_create(
        actor=actor,
        record_type="customer",
        record_id=customer.pk,
        title=title,
        assignee_id=(assignee or actor).pk,
        due_date=due,
    )


def test_a_note_added_from_the_tab_appears_on_it(client_as, customer):
    client = client_as(StaffRole.STAFF)
    response = client.post(add_url(customer, "note"), {"body": "Met the *new* CTO"})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_activity", args=[customer.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Met the <em>new</em> CTO" in page


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("note", {"body": "   "}, "the note is empty"),
        ("task", {"title": "X", "assignee": "", "due_date": "2026-13-45"}, "valid due date"),
        ("task", {"title": "", "due_date": "2026-01-01"}, "A task needs a title"),
        ("call", {"occurred_at": "yesterday-ish"}, "valid date and time"),
    ],
)
def test_bad_input_is_a_message_on_the_form_and_nothing_written(
    client_as, customer, kind, data, message
):
    client = client_as(StaffRole.STAFF)
    response = client.post(add_url(customer, kind), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Entry.objects.exists()


def test_an_assignee_who_is_not_staff_of_this_tenant_is_refused(client_as, customer, portal_client):
    client = client_as(StaffRole.STAFF)
    outsider = portal_client(customer).user
    response = client.post(
        add_url(customer, "task"),
        {"title": "Follow up", "assignee": outsider.pk, "due_date": TODAY.isoformat()},
    )
    assert "active member of your team" in response.content.decode()
    assert not Entry.objects.exists()


def test_viewers_see_the_timeline_without_forms_and_cannot_post(client_as, customer):
    viewer = client_as(StaffRole.VIEWER)
    page = viewer.get(reverse("customers:customer_activity", args=[customer.pk]))
    assert page.status_code == 200 and "data-activity-form" not in page.content.decode()
    assert viewer.post(add_url(customer, "note"), {"body": "x"}).status_code == 403
    assert not Entry.objects.exists()


def test_only_the_author_or_an_admin_may_edit_or_delete_a_note(client_as, customer):
    author = client_as(StaffRole.STAFF)
    note = services.note_create(
        actor=author.user, record_type="customer", record_id=customer.pk, body="Mine"
    )
    other = client_as(StaffRole.STAFF)
    edit = reverse("activity:entry_update", args=[note.pk])
    delete = reverse("activity:entry_delete", args=[note.pk])
    assert other.post(edit, {"body": "Hijacked"}).status_code == 403
    assert other.post(delete).status_code == 403
    assert (
        "Edit"
        not in other.get(reverse("customers:customer_activity", args=[customer.pk]))
        .content.decode()
        .split('id="entry-')[1]
    )
    assert author.post(edit, {"body": "Mine, edited"}).status_code == 302
    admin = client_as(StaffRole.ADMIN)
    assert admin.post(delete).status_code == 302
    assert not Entry.objects.exists()


def test_my_tasks_lists_overdue_first_then_today_then_upcoming(client_as, customer):
    client = client_as(StaffRole.STAFF)
    me = client.user
    make_task(me, customer, due=TODAY + datetime.timedelta(days=3), title="Upcoming one")
    make_task(me, customer, due=TODAY, title="Today one")
    make_task(me, customer, due=TODAY - datetime.timedelta(days=2), title="Overdue one")
    someone = client_as(StaffRole.STAFF).user
    make_task(someone, customer, due=TODAY, title="Not mine")
    html = client.get(reverse("activity:my_tasks")).content.decode()
    assert html.index("Overdue one") < html.index("Today one") < html.index("Upcoming one")
    assert "Not mine" not in html


def test_my_tasks_keeps_constant_queries(client_as, customer, django_assert_max_num_queries):
    client = client_as(StaffRole.STAFF)
    make_task(client.user, customer, due=TODAY)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("activity:my_tasks"))
    for n in range(20):
        make_task(client.user, customer, due=TODAY + datetime.timedelta(days=n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("activity:my_tasks"))


def test_ticking_a_task_done_with_htmx_returns_its_row(client_as, customer):
    client = client_as(StaffRole.STAFF)
    task = make_task(client.user, customer, due=TODAY, title="Send the quote")
    response = client.post(
        reverse("activity:task_complete", args=[task.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and f'id="task-{task.pk}"' in html
    assert reverse("activity:task_reopen", args=[task.pk]) in html
    task.refresh_from_db()
    assert task.completed_by == client.user
    client.post(reverse("activity:task_reopen", args=[task.pk]), HTTP_HX_REQUEST="true")
    task.refresh_from_db()
    assert task.completed_at is None


def test_the_attention_panel_counts_my_overdue_and_due_today_tasks(staff, customer):
    make_task(staff, customer, due=TODAY - datetime.timedelta(days=1))
    make_task(staff, customer, due=TODAY - datetime.timedelta(days=9))
    make_task(staff, customer, due=TODAY)
    make_task(staff, customer, due=TODAY + datetime.timedelta(days=1))
    done = make_task(staff, customer, due=TODAY)
    services.task_complete(actor=staff, entry_id=done.pk)
    items = {item.key: item for item in tasks_due(scope_for(staff), "en")}
    assert items["tasks_overdue"].count == 2 and items["tasks_due_today"].count == 1
    assert items["tasks_overdue"].url == reverse("activity:my_tasks")
    assert items["tasks_overdue"].label == "2 tasks of yours overdue"


def test_the_dashboard_shows_my_tasks_due(client_as, customer):
    client = client_as(StaffRole.STAFF)
    make_task(client.user, customer, due=TODAY)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert "1 task of yours due today" in html


def test_the_navigation_links_to_my_tasks(client_as):
    html = client_as(StaffRole.VIEWER).get(reverse("activity:my_tasks")).content.decode()
    assert f'href="{reverse("activity:my_tasks")}"' in html
