"""The rows in error as a file to fix: the importer downloads them with their own columns as
typed and what to change, fixes them and uploads that file again."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import StaffRole

from .conftest import csv_file, last_job

pytestmark = pytest.mark.django_db

BAD = (
    "name,website,status\n"
    "Good Company,https://good.example,active\n"
    "Bad Status Ltd,https://bad.example,emperor\n"
    '=HYPERLINK("x"),not a url,active\n'
)


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_rows_in_error_download_as_a_csv_to_fix(staff, upload, in_tenant):
    upload(staff, "customers", csv_file(BAD, name='my "list";x.csv'))
    job = last_job()
    page = staff.get(job.get_absolute_url())
    assert job.error_count == 2
    url = reverse("imports:import_job_errors", kwargs={"pk": job.pk})
    assert url in page.content.decode()
    response = staff.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-list-x-errors.csv"'
    header, *rows = rows_of(response)
    assert header == ["Line", "name", "website", "status", "Errors"]
    assert [row[0] for row in rows] == ["3", "4"]
    assert rows[0][1:4] == ["Bad Status Ltd", "https://bad.example", "emperor"]
    assert "status" in rows[0][4]
    assert rows[1][1].startswith("'=")  # never a live formula in a spreadsheet
    assert "website" in rows[1][4]


def test_no_error_file_without_errors_or_for_someone_else(staff, upload, client_as, in_tenant):
    upload(staff, "customers", csv_file("name\nFine Ltd\n"))
    clean = last_job()
    assert (
        staff.get(reverse("imports:import_job_errors", kwargs={"pk": clean.pk})).status_code == 404
    )
    upload(staff, "customers", csv_file(BAD))
    url = reverse("imports:import_job_errors", kwargs={"pk": last_job().pk})
    other = client_as(StaffRole.STAFF)
    assert other.get(url).status_code in (403, 404)
    assert client_as(StaffRole.ADMIN).get(url).status_code == 200


def test_results_link_the_records_an_import_made_or_changed(staff, upload, confirm, in_tenant):
    from customers.models import Customer
    from tests.factories import CustomerFactory

    existing = CustomerFactory(name="Old Name Ltd", external_id="EXT-1")
    upload(staff, "customers", csv_file("name,external_id\nNew Name Ltd,EXT-1\nFresh Co,EXT-2\n"))
    job = last_job()
    assert job.can_confirm
    confirm(staff, job)
    fresh = Customer.objects.get(external_id="EXT-2")
    page = staff.get(job.get_absolute_url()).content.decode()
    assert "1 new, 1 updated, 0 unchanged" in page
    assert f'href="{reverse("customers:customer_detail", args=[existing.pk])}"' in page
    assert f'href="{reverse("customers:customer_detail", args=[fresh.pk])}"' in page
    assert dict(job.rows.values_list("line", "object_id")) == {2: existing.pk, 3: fresh.pk}
