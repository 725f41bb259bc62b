"""The activity API: scoped reads, writes through the services (bad input: a 400 and nothing
written), the author rule for deletes, tasks completed and reopened; in the OpenAPI schema."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from activity.models import Entry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/activity/"


def post(client, data):
    return client.post(LIST, json.dumps(data), content_type="application/json")


def test_create_a_note_a_call_and_a_task_and_list_them(api_as, customer):
    client = api_as(StaffRole.STAFF)
    note = post(
        client, {"kind": "note", "customer": customer.pk, "body": "<b>Hi</b><script>x</script>"}
    )
    assert note.status_code == 201, note.content
    assert note.json()["body_html"] == "<p><b>Hi</b></p>\n"
    call = post(client, {"kind": "call", "customer": customer.pk, "duration_minutes": 15})
    assert call.status_code == 201
    task = post(
        client,
        {
            "kind": "task",
            "customer": customer.pk,
            "title": "Renewal",
            "assignee": client.user.pk,
            "due_date": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert task.status_code == 201, task.content
    listed = client.get(LIST, {"customer": customer.pk}).json()
    assert {row["kind"] for row in listed["results"]} == {"note", "call", "task"}
    done = client.post(f"{LIST}{task.json()['id']}/complete/")
    assert done.status_code == 200 and done.json()["completed_by"] == client.user.pk


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "note", "customer": None, "body": "x"},
        {"kind": "note", "body": ""},
        {"kind": "task", "title": "T", "due_date": "2026-02-30"},
        {"kind": "task", "title": "T", "due_date": "2026-02-01", "assignee": 987654},
        {"kind": "note", "body": "x", "surprise": 1},
    ],
)
def test_bad_input_is_a_400_and_nothing_written(api_as, customer, data):
    client = api_as(StaffRole.STAFF)
    data = {"customer": customer.pk, **data} if "customer" not in data else data
    response = post(client, data)
    assert response.status_code == 400, response.content
    assert not Entry.objects.exists()


def test_another_companys_record_is_out_of_reach_for_a_limited_user(api_as, customer, in_tenant):
    from customers.access import staff_customer_access_set
    from tests.factories import UserFactory

    client = api_as(StaffRole.STAFF)
    mine = CustomerFactory()
    staff_customer_access_set(
        member=client.user,
        access="assigned",
        teams=[],
        customers=[mine],
        actor=UserFactory(role=StaffRole.OWNER),
    )
    response = post(client, {"kind": "note", "customer": customer.pk, "body": "sneaky"})
    missing = post(client, {"kind": "note", "customer": 987654, "body": "sneaky"})
    # Bad input on the field, the same answer as for a record that does not exist.
    assert response.status_code == missing.status_code == 400
    assert response.json() == missing.json() == {"customer": ["No such record."]}
    assert not Entry.objects.exists()


def test_deleting_is_for_the_author_or_an_admin(api_as, customer):
    author = api_as(StaffRole.STAFF)
    entry_id = post(author, {"kind": "note", "customer": customer.pk, "body": "x"}).json()["id"]
    assert api_as(StaffRole.STAFF).delete(f"{LIST}{entry_id}/").status_code == 403
    assert api_as(StaffRole.VIEWER).delete(f"{LIST}{entry_id}/").status_code == 403
    assert author.delete(f"{LIST}{entry_id}/").status_code == 204


def test_a_note_is_edited_with_patch(api_as, customer):
    client = api_as(StaffRole.STAFF)
    entry_id = post(client, {"kind": "note", "customer": customer.pk, "body": "x"}).json()["id"]
    response = client.patch(
        f"{LIST}{entry_id}/", json.dumps({"body": "*y*"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["body_html"] == "<p><em>y</em></p>\n"
    refused = client.patch(
        f"{LIST}{entry_id}/",
        json.dumps({"due_date": "2026-01-01"}),
        content_type="application/json",
    )
    assert refused.status_code == 400


def test_the_schema_lists_the_activity_endpoints(api_as):
    schema = api_as(StaffRole.STAFF).get(reverse("api_schema"), {"format": "json"}).json()
    assert "/api/v1/activity/" in schema["paths"]
    assert "/api/v1/activity/{id}/complete/" in schema["paths"]
