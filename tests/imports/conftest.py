import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


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
