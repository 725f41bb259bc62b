"""Reading the file: encodings, separators, .xlsx, formulas, unknown columns; bad or too big
files get a clear message and change nothing; the templates and the sample file."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from customers.models import Customer
from imports.models import ImportJob, ImportStatus
from tests.factories import CustomerFactory, LocationFactory

from .conftest import actions, csv_file, form_error, last_job, messages_of

pytestmark = pytest.mark.django_db


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


def test_template_downloads(staff, in_tenant):
    csv = staff.get(reverse("imports:import_template", kwargs={"kind": "customers", "fmt": "csv"}))
    assert csv.content.decode("utf-8-sig").startswith("name,external_id,")
    xlsx = staff.get(reverse("imports:import_template", kwargs={"kind": "assets", "fmt": "xlsx"}))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert (
        staff.get(reverse("imports:import_upload", kwargs={"kind": "nothing"})).status_code == 404
    )


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
