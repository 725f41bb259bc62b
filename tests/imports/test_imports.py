"""Imports: the dry run classifies every row, the import is all or nothing, keys upsert, bad
files get a clear message and change nothing."""

import io

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import StaffRole
from assets.models import Asset
from customers.models import Customer
from imports.models import ImportJob, ImportStatus
from imports.services import import_job_check, import_job_run
from locations.models import Location
from tests.factories import CustomerFactory, ImportJobFactory, LocationFactory

from .conftest import csv_file

pytestmark = pytest.mark.django_db


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


def test_imported_rows_send_webhook_events_with_their_changes(staff, upload, confirm, in_tenant):
    from tests.webhooks.test_webhooks import Receiver
    from webhooks.models import WebhookDelivery, WebhookEndpoint

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


def test_bom_and_semicolons_are_read(staff, upload, in_tenant):
    upload(staff, "customers", csv_file("\ufeffname;city\nBom Co;Zürich\n"))
    job = last_job()
    assert job.status == ImportStatus.READY and job.new_count == 1 and not job.warnings


def test_a_latin1_file_is_read_with_a_warning(staff, upload, confirm, in_tenant):
    upload(staff, "customers", csv_file("name,city\nCafé Crème,Besançon\n", encoding="latin-1"))
    job = last_job()
    assert job.new_count == 1
    assert "not UTF-8" in job.warnings[0]
    confirm(staff, job)
    assert Customer.objects.get(name="Café Crème").city == "Besançon"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("header.csv", b"name,city\n", "no rows"),
        ("missing.csv", b"city,country\nParis,FR\n", "Required column missing: name"),
        ("junk.csv", bytes(range(256)) * 100, "not a CSV"),
        ("fake.xlsx", b"this is not a zip file at all", "not a valid .xlsx"),
        ("notes.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx"),
        ("twice.csv", b"name,Customer name\nA,B\n", "appear twice"),
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(
    staff, upload, in_tenant, name, content, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = upload(staff, "customers", SimpleUploadedFile(name, content))
    assert message in form_error(response)
    assert not ImportJob.objects.exists()


def test_too_big_and_too_many_rows(staff, upload, in_tenant, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(staff, "customers", csv_file("name\n" + "x" * 2000 + "\n"))
    assert "the limit is" in form_error(response)
    settings.IMPORT_MAX_BYTES = 20 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 5
    response = upload(staff, "customers", csv_file("name\n" + "".join(f"C{i}\n" for i in range(6))))
    assert "more than 5 rows" in form_error(response)
    assert not ImportJob.objects.exists()


def test_a_huge_body_is_refused_before_it_is_read(staff, in_tenant, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = staff.post(
        reverse("imports:import_upload", kwargs={"kind": "customers"}),
        {"file": csv_file("name\n" + "x" * 3_000_000)},
    )
    assert "the limit is" in form_error(response)


def test_unknown_columns_are_ignored_and_listed(staff, upload, in_tenant):
    upload(staff, "customers", csv_file("name,Shoe size,Locations\nFeet Co,42,3\n"))
    job = last_job()
    assert job.ignored_columns == ["Shoe size", "Locations"]
    assert job.new_count == 1
    assert "Shoe size" in staff.get(job.get_absolute_url()).content.decode()


def test_formulas_are_refused_and_neutralised_text_is_read_back(staff, upload, confirm, in_tenant):
    upload(
        staff,
        "customers",
        csv_file("name,industry\nEvil Co,=cmd|' /C calc'!A0\nQuoted Co,'=1+2\n"),
    )
    job = last_job()
    assert actions(job) == {2: "error", 3: "new"}
    assert "formula" in dict(messages_of(job, 2))["industry"]
    upload(staff, "customers", csv_file("name,industry\nQuoted Co,'=1+2\n"))
    confirm(staff, last_job())
    assert Customer.objects.get(name="Quoted Co").industry == "=1+2"  # exported as '=1+2 again


def test_xlsx_with_numbers_and_dates(staff, upload, confirm, in_tenant):
    customer = CustomerFactory(name="Owner Co", external_id="OWN-1")
    LocationFactory(customer=customer, name="Depot")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["Name", "Serial number", "category", "owner", "location", "value", "purchase_date"]
    )
    import datetime

    sheet.append(
        ["SRV-1", "sn 001", "Server", "OWN-1", "Depot", 1234.5, datetime.date(2025, 1, 31)]
    )
    sheet.append(["SRV-2", "SN-002", "Spaceship", "OWN-1", "Nowhere", "abc", "31/31/2025"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload(staff, "assets", SimpleUploadedFile("assets.xlsx", buffer.getvalue()))
    job = last_job()
    assert actions(job) == {2: "new", 3: "error"}
    columns = dict(messages_of(job, 3))
    assert set(columns) >= {"category", "location", "value", "purchase_date"}


def test_assets_upsert_by_serial_and_locations_by_customer_and_name(
    staff, upload, confirm, in_tenant
):
    customer = CustomerFactory(name="Site Owner", external_id="SO-1")
    depot = LocationFactory(customer=customer, name="Depot", city="Old Town")
    upload(
        staff,
        "locations",
        csv_file(
            "customer,name,city,location_type\nSO-1,depot,New Town,Warehouse\nSite Owner,Annex,,\n"
        ),
    )
    job = last_job()
    assert actions(job) == {2: "update", 3: "new"}
    confirm(staff, job)
    depot.refresh_from_db()
    assert depot.city == "New Town" and depot.location_type == "warehouse"
    annex = Location.objects.get(name="Annex")
    assert annex.customer == customer and annex.history.get().history_user == staff.user

    existing = Asset.objects.create(name="Old", serial_number="ABC-1")
    upload(
        staff,
        "assets",
        csv_file(
            "name,serial_number,owner,location,status\nRenamed,abc-1,SO-1,Annex,Deployed\nNew,XYZ-2,,,\n"
        ),
    )
    job = last_job()
    assert actions(job) == {2: "update", 3: "new"}
    confirm(staff, job)
    existing.refresh_from_db()
    assert (existing.name, existing.owner, existing.location, existing.status) == (
        "Renamed",
        customer,
        annex,
        "deployed",
    )
    assert Asset.objects.get(serial_number="XYZ-2").owner is None


def test_template_downloads(staff, in_tenant):
    csv = staff.get(reverse("imports:import_template", kwargs={"kind": "customers", "fmt": "csv"}))
    assert csv.content.decode("utf-8-sig").startswith("name,external_id,")
    xlsx = staff.get(reverse("imports:import_template", kwargs={"kind": "assets", "fmt": "xlsx"}))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert (
        staff.get(reverse("imports:import_upload", kwargs={"kind": "nothing"})).status_code == 404
    )


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


def checked_with_queries(staff, kind: str, data: str) -> tuple[ImportJob, int]:
    """Run the dry run of ``data``; the job and how many queries the check took."""
    from django.test.utils import CaptureQueriesContext

    job = ImportJobFactory(kind=kind, data=data.encode(), created_by=staff.user)
    with CaptureQueriesContext(connection) as captured:
        import_job_check(job_id=job.pk)
    job.refresh_from_db()
    return job, len(captured)


def test_validation_does_no_query_per_row(staff, in_tenant):
    """Lookups are preloaded: checking 20 rows costs the same queries as checking 2."""
    from billing.models import Project

    owner = CustomerFactory(name="Counting Co", external_id="CNT")
    LocationFactory(customer=owner, name="Depot")
    Project.objects.create(customer=owner, name="Rollout", start_date="2026-01-01")

    def queries(rows: int) -> int:
        data = "name,serial_number,owner,location,project\n" + "".join(
            f"A{i},S-{rows}-{i},CNT,Depot,Rollout\n" for i in range(rows)
        )
        job, count = checked_with_queries(staff, "assets", data)
        assert job.new_count == rows, list(job.rows.values_list("messages", flat=True))
        return count

    assert queries(2) == queries(20)


def test_the_sample_file_has_exactly_two_errors_and_the_fixed_one_imports(
    staff, upload, confirm, in_tenant
):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    samples = Path(__file__).resolve().parents[2] / "imports" / "samples"
    broken = (samples / "customers-1000.csv").read_bytes()
    upload(staff, "customers", SimpleUploadedFile("customers-1000.csv", broken))
    job = last_job()
    assert (job.total_rows, job.error_count) == (1000, 2)
    errors = dict(job.rows.filter(action="error").values_list("line", "messages"))
    assert set(errors) == {138, 643}
    assert errors[138][0][0] == "company_email" and errors[643][0][0] == "country"
    fixed = (samples / "customers-1000-fixed.csv").read_bytes()
    upload(staff, "customers", SimpleUploadedFile("customers-1000-fixed.csv", fixed))
    job = last_job()
    assert job.can_confirm and job.new_count == 1000
    confirm(staff, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Customer.objects.filter(external_id__startswith="SAMPLE-").count() == 1000


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


def test_parent_column_checks_parents_like_the_customer_form(staff, upload, confirm, in_tenant):
    group = CustomerFactory(name="Group Co", external_id="GRP")
    child = CustomerFactory(name="Child Co", external_id="CHD", parent=group)
    CustomerFactory(name="Lone Co", external_id="LON")
    text = (
        "name,external_id,parent\n"
        "Sub One,S-1,GRP\n"  # 2 new, parent by external ID
        "Sub Two,S-2,group co\n"  # 3 new, parent by name
        "Lone Co,LON,Child Co\n"  # 4 update: a grandchild of Group Co
        "Orphan,S-3,Nobody\n"  # 5 unknown parent
        "Selfish,S-4,s-4\n"  # 6 itself
        "Group Co,GRP,CHD\n"  # 7 its own child as parent
        "Sub Three,S-5,S-1\n"  # 8 parent new in this file
        "Child Co,CHD,\n"  # 9 update: parent cleared
    )
    upload(staff, "customers", csv_file(text))
    job = last_job()
    assert actions(job) == {
        2: "new",
        3: "new",
        4: "update",
        5: "error",
        6: "error",
        7: "error",
        8: "error",
        9: "update",
    }
    assert "No customer" in dict(messages_of(job, 5))["parent"]
    assert "own parent" in dict(messages_of(job, 6))["parent"]
    assert "already below this one" in dict(messages_of(job, 7))["parent"]
    assert "new in this file" in dict(messages_of(job, 8))["parent"]

    upload(
        staff,
        "customers",
        csv_file("name,external_id,parent\nSub One,S-1,GRP\nLone Co,LON,CHD\nChild Co,CHD,\n"),
    )
    job = last_job()
    assert job.can_confirm, list(job.rows.values_list("messages", flat=True))
    confirm(staff, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error_summary
    child.refresh_from_db()
    assert child.parent_id is None and child.history.latest().parent_id is None
    assert Customer.objects.get(external_id="S-1").parent == group
    assert Customer.objects.get(external_id="LON").parent == child


def test_parent_cycles_through_rows_of_the_same_file_are_refused(staff, upload, in_tenant):
    CustomerFactory(name="North", external_id="N")
    CustomerFactory(name="South", external_id="S")
    upload(staff, "customers", csv_file("name,external_id,parent\nNorth,N,S\nSouth,S,N\n"))
    job = last_job()
    assert actions(job) == {2: "update", 3: "error"}
    assert "already below this one" in dict(messages_of(job, 3))["parent"]


def test_customer_validation_with_parents_does_no_query_per_row(staff, in_tenant):
    top = CustomerFactory(name="Top", external_id="TOP")
    middle = CustomerFactory(name="Middle", external_id="MID", parent=top)
    for index in range(20):
        CustomerFactory(name=f"Existing {index}", external_id=f"E-{index}", parent=middle)

    def queries(rows: int) -> int:
        data = "name,external_id,parent,custom_attributes\n" + "".join(
            f"Existing {i},E-{i},TOP,Tier: Gold\nNew {rows}-{i},N-{rows}-{i},MID,\n"
            for i in range(rows)
        )
        job, count = checked_with_queries(staff, "customers", data)
        assert (job.update_count, job.new_count) == (rows, rows)
        return count

    assert queries(2) == queries(20)


def test_custom_attributes_are_imported_as_key_value_pairs(staff, upload, confirm, in_tenant):
    existing = CustomerFactory(
        name="Tiered Co", external_id="T-1", custom_attributes={"Tier": "Silver", "Old": "x"}
    )
    untouched = CustomerFactory(
        name="Quiet Co", external_id="Q-1", custom_attributes={"Keep": "me"}
    )
    text = (
        "Customer name,External ID,Custom attributes\n"
        "Tiered Co,T-1,Tier: Gold; Account manager: Jane Doe: Senior\n"
        "Fresh Co,F-1,Region: EMEA\n"
        "Cleared Co,C-1,\n"
        "Broken Co,B-1,no separator here\n"
        "Twice Co,W-1,a: 1; A: 2\n"
    )
    upload(staff, "customers", csv_file(text))
    job = last_job()
    assert actions(job) == {2: "update", 3: "new", 4: "new", 5: "error", 6: "error"}
    assert "key: value" in messages_of(job, 5)[0][1]
    assert messages_of(job, 5)[0][0] == "custom_attributes"
    assert "used twice" in messages_of(job, 6)[0][1]

    fixed = "\n".join(text.splitlines()[:4]) + "\n"
    upload(staff, "customers", csv_file(fixed))
    confirm(staff, last_job())
    existing.refresh_from_db()
    assert existing.custom_attributes == {"Tier": "Gold", "Account manager": "Jane Doe: Senior"}
    assert Customer.objects.get(external_id="F-1").custom_attributes == {"Region": "EMEA"}
    assert Customer.objects.get(external_id="C-1").custom_attributes == {}
    untouched.refresh_from_db()
    assert untouched.custom_attributes == {"Keep": "me"}
    unchanged = upload(staff, "customers", csv_file(fixed))
    assert unchanged.status_code in (200, 302)
    assert actions(last_job())[2] == "unchanged"


def test_assets_name_their_project_at_the_owner_or_the_sites_customer(
    staff, upload, confirm, in_tenant
):
    from billing.models import Project

    owner = CustomerFactory(name="Owner Co", external_id="OW-1")
    host = CustomerFactory(name="Host Co", external_id="HO-1")
    LocationFactory(customer=host, name="Rack room")
    rollout = Project.objects.create(customer=owner, name="Rollout", start_date="2026-01-01")
    hosting = Project.objects.create(customer=host, name="Hosting", start_date="2026-01-01")
    Project.objects.create(customer=CustomerFactory(), name="Elsewhere", start_date="2026-01-01")
    text = (
        "name,serial_number,owner,location,location_customer,project\n"
        "A,SN-A,OW-1,,,rollout\n"
        "B,SN-B,OW-1,Rack room,HO-1,Hosting\n"
        "C,SN-C,OW-1,,,Elsewhere\n"
        "D,SN-D,,,,\n"
    )
    upload(staff, "assets", csv_file(text))
    job = last_job()
    assert actions(job) == {2: "new", 3: "new", 4: "error", 5: "new"}
    assert messages_of(job, 4) == [
        ["project", "Neither the owner nor the site's customer has a project called “Elsewhere”."]
    ]
    upload(staff, "assets", csv_file(text.replace("C,SN-C,OW-1,,,Elsewhere\n", "")))
    confirm(staff, last_job())
    projects = dict(Asset.objects.values_list("serial_number", "project_id"))
    assert projects == {"SN-A": rollout.pk, "SN-B": hosting.pk, "SN-D": None}
