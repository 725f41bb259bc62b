import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from accounts.models import StaffRole
from imports.models import ImportJob
from imports.services import import_job_check
from tests.factories import ImportJobFactory


def csv_file(text: str, name: str = "import.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post a file to the upload page, run the background check (inline at commit); returns
    the response (following redirects)."""

    def post(client, kind: str, file, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("imports:import_upload", kwargs={"kind": kind}), {"file": file}, **extra
            )

    return post


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    def post(client, job):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("imports:import_job_confirm", kwargs={"pk": job.pk}))

    return post


def last_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()


def actions(job) -> dict[int, str]:
    return dict(job.rows.values_list("line", "action"))


def messages_of(job, line: int) -> list:
    return job.rows.get(line=line).messages


def form_error(response) -> str:
    assert response.status_code == 200, response.status_code
    errors = response.context["form"].errors
    return " ".join(message for messages in errors.values() for message in messages)


@pytest.fixture
def staff(client_as):
    return client_as(StaffRole.STAFF)


def checked_with_queries(staff, kind: str, data: str) -> tuple[ImportJob, int]:
    """Run the dry run of ``data``; the job and how many queries the check took."""
    from django.test.utils import CaptureQueriesContext

    job = ImportJobFactory(kind=kind, data=data.encode(), created_by=staff.user)
    with CaptureQueriesContext(connection) as captured:
        import_job_check(job_id=job.pk)
    job.refresh_from_db()
    return job, len(captured)
