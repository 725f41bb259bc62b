"""Big list exports (core.exports): past INLINE_MAX rows a list offers to write the file in the
background (a POST starts it, never a GET); the job writes exactly the rows the list's filters
and the actor's scope show, in their columns, with live progress, then the file and a
notification. The job, its page and its file are the actor's alone."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

import core.exports
from accounts.models import ExportJob, Notification, StaffRole
from core.notifications import NotificationKind
from customers.access import staff_customer_access_set
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
KEY = "customers.customer"
START = reverse("lists:export", args=[KEY], urlconf="config.urls_tenant")


@pytest.fixture
def small_inline(monkeypatch):
    monkeypatch.setattr(core.exports, "INLINE_MAX", 3)
    monkeypatch.setattr(core.exports, "PROGRESS_EVERY", 2)


def start(client, query="", file_format="csv", capture=None):
    with capture(execute=False) as queued:
        response = client.post(START, {"query": query, "format": file_format})
    return response, queued


def run(queued):
    for callback in queued:  # the worker (TASKS_RUN_INLINE: in-process)
        callback()


def rows_of(client, job) -> list[list[str]]:
    response = client.get(reverse("lists:export_download", args=[job.pk]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_a_small_list_still_streams_at_once(client_as, in_tenant, small_inline):
    CustomerFactory(name="Only One")
    response = client_as(StaffRole.STAFF).get("/customers/?export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not ExportJob.objects.exists()


def test_a_big_list_offers_a_background_export_and_a_get_starts_nothing(
    client_as, in_tenant, small_inline
):
    for n in range(5):
        CustomerFactory(name=f"Big {n}", status="prospect")
    response = client_as(StaffRole.STAFF).get("/customers/?status=prospect&export=xlsx")
    page = response.content.decode()
    assert response.status_code == 200
    assert "more than 3 rows" in page and "Prepare the Excel export" in page
    assert f'action="{START}"' in page and 'name="query" value="status=prospect"' in page
    assert not ExportJob.objects.exists()


def test_the_job_writes_the_filtered_rows_with_progress_then_notifies(
    client_as, in_tenant, small_inline, django_capture_on_commit_callbacks
):
    client = client_as(StaffRole.STAFF)
    for n in range(5):
        CustomerFactory(name=f"Prospect {n}", status="prospect")
    CustomerFactory(name="Someone Active", status="active")
    response, queued = start(
        client, "status=prospect&export=csv&page=3", capture=django_capture_on_commit_callbacks
    )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.query == "status=prospect" and job.state == ExportJob.State.QUEUED
    waiting = client.get(job.get_absolute_url()).content.decode()
    assert "Waiting for the worker" in waiting and 'hx-trigger="every 1s"' in waiting
    ExportJob.objects.filter(pk=job.pk).update(state="running", total=5, processed=2)
    running = client.get(
        job.get_absolute_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="export-status"
    ).content.decode()
    assert "Writing row 2 of 5" in running and "<html" not in running
    ExportJob.objects.filter(pk=job.pk).update(state="queued", total=0, processed=0)

    run(queued)
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.total == job.processed == 5
    done = client.get(job.get_absolute_url()).content.decode()
    assert "Ready: 5 rows" in done and "every 1s" not in done and "Download" in done
    rows = rows_of(client, job)
    assert rows[0][0] == "Customer Name"
    assert sorted(row[0] for row in rows[1:]) == [f"Prospect {n}" for n in range(5)]
    notification = Notification.objects.get(recipient=client.user)
    assert notification.kind == NotificationKind.EXPORT_READY
    assert notification.message == "Export of customers is ready: 5 rows."
    assert notification.url == job.get_absolute_url()


def test_the_job_sees_only_the_actor_s_scope(
    client_as, in_tenant, small_inline, django_capture_on_commit_callbacks
):
    owner = UserFactory(role=StaffRole.OWNER)
    mine = [CustomerFactory(name=f"Mine {n}") for n in range(4)]
    CustomerFactory(name="Not Mine At All")
    client = client_as(StaffRole.STAFF)
    staff_customer_access_set(
        member=client.user, access="assigned", teams=[], customers=mine, actor=owner
    )
    _, queued = start(client, capture=django_capture_on_commit_callbacks)
    run(queued)
    names = [row[0] for row in rows_of(client, ExportJob.objects.get())[1:]]
    assert sorted(names) == [f"Mine {n}" for n in range(4)]


def test_an_excel_export_neutralises_formulas(
    client_as, in_tenant, small_inline, django_capture_on_commit_callbacks
):
    client = client_as(StaffRole.STAFF)
    for n in range(3):
        CustomerFactory(name=f"Plain {n}")
    CustomerFactory(name='=HYPERLINK("https://evil.example")')
    _, queued = start(client, file_format="xlsx", capture=django_capture_on_commit_callbacks)
    run(queued)
    job = ExportJob.objects.get()
    assert job.file_name.endswith(".xlsx")
    response = client.get(reverse("lists:export_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 4 and '\'=HYPERLINK("https://evil.example")' in names


def test_a_job_page_and_its_file_are_the_actor_s_alone(
    client_as, in_tenant, small_inline, django_capture_on_commit_callbacks
):
    for n in range(4):
        CustomerFactory(name=f"Row {n}")
    author = client_as(StaffRole.STAFF)
    _, queued = start(author, capture=django_capture_on_commit_callbacks)
    run(queued)
    job = ExportJob.objects.get()
    owner = client_as(StaffRole.OWNER)
    assert owner.get(job.get_absolute_url()).status_code == 404
    assert owner.get(reverse("lists:export_download", args=[job.pk])).status_code == 404


def test_a_failure_is_recorded_and_told_never_left_running(
    client_as, in_tenant, small_inline, monkeypatch, django_capture_on_commit_callbacks
):
    for n in range(4):
        CustomerFactory(name=f"Row {n}")
    client = client_as(StaffRole.STAFF)
    _, queued = start(client, capture=django_capture_on_commit_callbacks)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(core.exports, "list_view_as", broken)
    run(queued)
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.FAILED and job.error == core.exports.FAILED_MESSAGE
    page = client.get(job.get_absolute_url()).content.decode()
    assert core.exports.FAILED_MESSAGE in page and "every 1s" not in page
    assert Notification.objects.get(recipient=client.user).kind == NotificationKind.EXPORT_FAILED
    not_ready = client.get(reverse("lists:export_download", args=[job.pk]))
    assert not_ready.status_code == 302


@pytest.mark.parametrize(
    ("key", "file_format", "message"),
    [(KEY, "pdf", "Choose CSV or Excel."), ("nope.nothing", "csv", None)],
)
def test_bad_requests_change_nothing(client_as, in_tenant, key, file_format, message):
    client = client_as(StaffRole.STAFF)
    response = client.post(
        reverse("lists:export", args=[key]), {"query": "", "format": file_format}
    )
    assert not ExportJob.objects.exists()
    if message is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert message in client.get(response["Location"]).content.decode()


def test_viewers_may_export_too(
    client_as, in_tenant, small_inline, django_capture_on_commit_callbacks
):
    for n in range(4):
        CustomerFactory(name=f"Row {n}")
    client = client_as(StaffRole.VIEWER)
    response, queued = start(client, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    run(queued)
    assert ExportJob.objects.get().state == ExportJob.State.DONE


def test_old_exports_are_pruned(in_tenant):
    from datetime import timedelta

    from django.utils import timezone

    user = UserFactory(role=StaffRole.STAFF)
    old = ExportJob.objects.create(actor=user, list_key=KEY, title="Old", file_format="csv")
    ExportJob.objects.create(actor=user, list_key=KEY, title="New", file_format="csv")
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert core.exports.prune_old() == 1
    assert list(ExportJob.objects.values_list("title", flat=True)) == ["New"]


def test_a_list_the_role_does_not_open_is_not_exported(
    client_as, in_tenant, small_inline, monkeypatch, django_capture_on_commit_callbacks
):
    """The export follows the list page's own access rule, when it starts and when it runs."""
    from core.list_prefs import list_view_for
    from core.policies import Capability

    view_class = list_view_for(KEY)
    for n in range(4):
        CustomerFactory(name=f"Row {n}")
    client = client_as(StaffRole.STAFF)
    monkeypatch.setattr(view_class, "required_capability", Capability.MANAGE_BILLING)
    response = client.post(START, {"query": "", "format": "csv"})
    assert response.status_code == 302 and not ExportJob.objects.exists()
    assert "Your role does not open this list." in client.get("/").content.decode()

    monkeypatch.setattr(view_class, "required_capability", Capability.VIEW_CONSOLE)
    _, queued = start(client, capture=django_capture_on_commit_callbacks)
    monkeypatch.setattr(view_class, "required_capability", Capability.MANAGE_BILLING)
    run(queued)  # the role changed before the worker got to it
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.FAILED and not job.data


def test_the_job_page_s_queries_do_not_grow_with_the_rows(
    client_as, in_tenant, small_inline, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(StaffRole.STAFF)
    for n in range(4):
        CustomerFactory(name=f"Row {n}")
    _, queued = start(client, capture=django_capture_on_commit_callbacks)
    run(queued)
    small = ExportJob.objects.get()
    for n in range(20):
        CustomerFactory(name=f"More {n}")
    _, queued = start(client, capture=django_capture_on_commit_callbacks)
    run(queued)
    large = ExportJob.objects.latest("pk")
    client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as four:
        client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as twenty_four:
        client.get(large.get_absolute_url())
    assert len(twenty_four) == len(four)
    assert not any('"data"' in q["sql"] for q in four.captured_queries)  # the file stays put
