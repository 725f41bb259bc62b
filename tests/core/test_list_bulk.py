"""Bulk changes on a list's selected rows (core.bulk): each row through its own service with
history, each row checked against the actor's scope, failures reported row by row; big ones
on the task queue with a progress page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import core.bulk
from accounts.models import BulkJob, StaffRole
from customers.access import staff_customer_access_set
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
KEY = "customers.customer"
BULK = reverse("lists:bulk", args=[KEY], urlconf="config.urls_tenant")


def bulk(client, action, ids, **extra):
    return client.post(BULK, {"action": action, "ids": ids, **extra})


def test_the_list_offers_row_checkboxes_and_the_bulk_bar_to_editors_only(client_as, in_tenant):
    CustomerFactory(name="Acme Ltd")
    html = client_as(StaffRole.STAFF).get("/customers/").content.decode()
    assert 'name="ids"' in html and 'form="list-bulk"' in html
    assert 'value="status">Change status' in html
    assert 'value="archive"' not in html  # archiving is for admins
    viewer = client_as(StaffRole.VIEWER).get("/customers/").content.decode()
    assert 'name="ids"' not in viewer and 'id="list-bulk"' not in viewer


def test_a_status_change_goes_through_the_service_with_history(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    chosen = [CustomerFactory(name=f"Chosen {n}", status="prospect") for n in range(3)]
    other = CustomerFactory(name="Left alone", status="prospect")
    response = bulk(client, "status", [c.pk for c in chosen], value="active")
    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("lists:bulk_job", args=[job.pk])
    assert job.state == BulkJob.State.DONE and sorted(job.changed_ids) == sorted(
        c.pk for c in chosen
    )
    for customer in chosen:
        customer.refresh_from_db()
        assert customer.status == "active"
        latest = customer.history.order_by("-history_id").first()
        assert latest.history_user_id == client.user.pk and latest.status == "active"
        assert latest.history_change_reason == "Edited"
    other.refresh_from_db()
    assert other.status == "prospect"
    page = client.get(response["Location"]).content.decode()
    assert "Done: 3 of 3 rows changed" in page
    assert all(customer.get_absolute_url() in page for customer in chosen)


def test_rows_out_of_reach_are_reported_and_the_rest_changed(client_as, tenant, in_tenant):
    owner = UserFactory(role=StaffRole.OWNER)
    mine = CustomerFactory(name="Mine", status="prospect")
    theirs = CustomerFactory(name="Someone Else's", status="prospect")
    client = client_as(StaffRole.STAFF)
    staff_customer_access_set(
        member=client.user, access="assigned", teams=[], customers=[mine], actor=owner
    )
    bulk(client, "status", [mine.pk, theirs.pk], value="former")
    job = BulkJob.objects.get()
    assert job.changed_ids == [mine.pk]
    assert job.failures == [{"id": theirs.pk, "name": "", "error": core.bulk.NOT_REACHABLE}]
    theirs.refresh_from_db()
    assert theirs.status == "prospect"
    page = client.get(reverse("lists:bulk_job", args=[job.pk])).content.decode()
    assert "1 not changed" in page and "Someone Else" not in page


def test_nothing_is_written_when_no_row_is_reachable_or_the_value_is_bad(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    customer = CustomerFactory(status="prospect")
    bulk(client, "status", [8_999_999], value="active")
    bulk(client, "status", [customer.pk], value="not-a-status")
    bulk(client, "status", [], value="active")
    bulk(client, "no-such-action", [customer.pk])
    assert not BulkJob.objects.exists()
    customer.refresh_from_db()
    assert customer.status == "prospect"


def test_archiving_is_refused_to_staff_and_done_for_admins(client_as, in_tenant):
    customer = CustomerFactory(name="Old Co")
    bulk(client_as(StaffRole.STAFF), "archive", [customer.pk])
    customer.refresh_from_db()
    assert not customer.is_archived and not BulkJob.objects.exists()
    bulk(client_as(StaffRole.ADMIN), "archive", [customer.pk])
    customer.refresh_from_db()
    assert customer.is_archived
    assert customer.history.order_by("-history_id").first().history_change_reason == "Archived"


def test_viewers_cannot_bulk_change(client_as, in_tenant):
    customer = CustomerFactory(status="prospect")
    assert (
        bulk(client_as(StaffRole.VIEWER), "status", [customer.pk], value="active").status_code
        == 403
    )


def test_all_matching_rows_follow_the_list_s_filters(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    prospects = [CustomerFactory(status="prospect") for _ in range(4)]
    CustomerFactory(status="active")
    client.post(
        BULK, {"action": "status", "value": "former", "select": "all", "query": "status=prospect"}
    )
    job = BulkJob.objects.get()
    assert sorted(job.changed_ids) == sorted(c.pk for c in prospects)
    assert Customer.objects.filter(status="former").count() == 4


def test_a_big_change_runs_on_the_queue_and_its_page_shows_progress(
    client_as, in_tenant, monkeypatch, django_capture_on_commit_callbacks
):
    """Past INLINE_MAX rows the job is queued after commit and its page polls its status
    until the summary."""
    monkeypatch.setattr(core.bulk, "INLINE_MAX", 2)
    monkeypatch.setattr(core.bulk, "CHUNK", 2)
    client = client_as(StaffRole.STAFF)
    customers = [CustomerFactory(status="prospect") for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = bulk(client, "status", [c.pk for c in customers], value="inactive")
    job = BulkJob.objects.get()
    assert job.state == BulkJob.State.QUEUED and job.processed == 0
    waiting = client.get(response["Location"]).content.decode()
    assert "Waiting for the worker" in waiting and 'hx-trigger="every 1s"' in waiting
    BulkJob.objects.filter(pk=job.pk).update(state="running", processed=2)
    running = client.get(
        response["Location"], HTTP_HX_REQUEST="true", HTTP_HX_TARGET="bulk-status"
    ).content.decode()
    assert "Changing row 2 of 5" in running and "<html" not in running
    BulkJob.objects.filter(pk=job.pk).update(state="queued", processed=0)
    for callback in queued:  # the worker (TASKS_RUN_INLINE: in-process)
        callback()
    job.refresh_from_db()
    assert job.state == BulkJob.State.DONE and len(job.changed_ids) == 5
    assert Customer.objects.filter(status="inactive").count() == 5
    done = client.get(response["Location"]).content.decode()
    assert "Done: 5 of 5 rows changed" in done and "every 1s" not in done


def test_a_bulk_change_s_page_is_its_actor_s_alone(client_as, in_tenant):
    customer = CustomerFactory(status="prospect")
    author = client_as(StaffRole.STAFF)
    bulk(author, "status", [customer.pk], value="active")
    job = BulkJob.objects.get()
    assert (
        client_as(StaffRole.OWNER).get(reverse("lists:bulk_job", args=[job.pk])).status_code == 404
    )


def test_the_progress_page_s_queries_do_not_grow_with_the_rows(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    few = [CustomerFactory(status="prospect").pk for _ in range(2)]
    many = [CustomerFactory(status="prospect").pk for _ in range(20)]
    bulk(client, "status", few, value="active")
    bulk(client, "status", many, value="active")
    small, large = BulkJob.objects.order_by("pk")
    client.get(reverse("lists:bulk_job", args=[small.pk]))
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("lists:bulk_job", args=[small.pk]))
    with CaptureQueriesContext(connection) as twenty:
        client.get(reverse("lists:bulk_job", args=[large.pk]))
    assert len(twenty) == len(two)
