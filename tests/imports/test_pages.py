"""The import pages: who may import and see which jobs, another tenant's jobs are 404, the
status partial polls, query counts stay flat."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import StaffRole
from imports.models import ImportStatus
from imports.services import import_job_check
from tests.factories import ImportJobFactory

from .conftest import csv_file, last_job

pytestmark = pytest.mark.django_db


def test_list_pages_offer_import_to_importers_only(client_as, in_tenant):
    url = reverse("imports:import_upload", kwargs={"kind": "locations"})
    assert (
        url in client_as(StaffRole.STAFF).get(reverse("locations:location_list")).content.decode()
    )
    viewer = client_as(StaffRole.VIEWER)
    assert url not in viewer.get(reverse("locations:location_list")).content.decode()
    assert viewer.get(url).status_code == 403


def test_jobs_of_other_people_are_for_admins_only(client_as, make_user, in_tenant):
    mine_client = client_as(StaffRole.STAFF)
    other_staff = client_as(StaffRole.STAFF)
    admin = client_as(StaffRole.ADMIN)
    job = ImportJobFactory(created_by=mine_client.user)
    assert mine_client.get(job.get_absolute_url()).status_code == 200
    assert other_staff.get(job.get_absolute_url()).status_code == 403
    assert admin.get(job.get_absolute_url()).status_code == 200
    upload_url = reverse("imports:import_upload", kwargs={"kind": "customers"})
    assert job.file_name not in other_staff.get(upload_url).content.decode()
    assert job.file_name in admin.get(upload_url).content.decode()


def test_jobs_of_another_tenant_are_404(client_as, other_tenant, in_tenant):
    owner = client_as(StaffRole.OWNER)
    connection.set_tenant(other_tenant)
    foreign = ImportJobFactory(pk=987654)
    connection.set_tenant(in_tenant)
    for name in ("imports:import_job", "imports:import_job_status"):
        assert owner.get(reverse(name, kwargs={"pk": foreign.pk})).status_code == 404
    assert (
        owner.post(reverse("imports:import_job_confirm", kwargs={"pk": foreign.pk})).status_code
        == 404
    )


def test_status_partial_polls_while_busy_and_reloads_when_settled(staff, in_tenant):
    job = ImportJobFactory(created_by=staff.user, status=ImportStatus.VALIDATING, total_rows=10)
    job.processed_rows = 4
    job.save()
    url = reverse("imports:import_job_status", kwargs={"pk": job.pk})
    busy = staff.get(url, {"was": "validating"}, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in busy.content.decode() and "40%" in busy.content.decode()
    job.status = ImportStatus.PENDING
    job.save()
    import_job_check(job_id=job.pk)  # a fresh check
    job.refresh_from_db()
    done = staff.get(url, {"was": "validating"}, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "every 1s" not in done.content.decode()


def test_page_query_counts_stay_flat(staff, upload, in_tenant, django_assert_max_num_queries):
    upload(staff, "customers", csv_file("name\n" + "".join(f"Flat {i}\n" for i in range(2))))
    small = last_job()
    upload(staff, "customers", csv_file("name\n" + "".join(f"Wide {i}\n" for i in range(60))))
    big = last_job()
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    counts = []
    for job in (small, big):
        with CaptureQueriesContext(conn) as captured:
            assert staff.get(job.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        staff.get(reverse("imports:import_upload", kwargs={"kind": "customers"}))
    with django_assert_max_num_queries(8):
        staff.get(reverse("imports:import_job_status", kwargs={"pk": big.pk}))
