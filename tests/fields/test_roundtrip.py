"""Item 6 of issue #18: the full-record export carries every column (custom fields and tags
too), and importing it unchanged reports every row as unchanged — customers, contacts,
locations and assets. Custom columns import like any other: typed, checked, all or nothing."""

import csv
import io

import pytest
from django.urls import reverse

from customers.models import Contact, Customer
from imports.models import RowAction
from tests.factories import AssetFactory, CustomerFactory, LocationFactory
from tests.imports.conftest import actions, csv_file, last_job, messages_of

pytestmark = pytest.mark.django_db


def export(client, kind: str) -> str:
    response = client.get(reverse("imports:full_export", kwargs={"kind": kind}))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode().lstrip("\ufeff")


def every_type(define, kind: str) -> None:
    define(kind, "tier", "choice", label="Contract tier", choices=["Gold", "Silver"])
    define(kind, "modules", "multi_choice", choices=["CRM", "ERP", "BI"])
    define(kind, "seats", "integer")
    define(kind, "rate", "decimal")
    define(kind, "renewal", "date")
    define(kind, "managed", "boolean")
    define(kind, "portal", "url")
    define(kind, "owner_email", "email")
    define(kind, "note", "text")


VALUES = [
    {
        "tier": "Gold",
        "modules": ["CRM", "BI"],
        "seats": 25,
        "rate": "12.50",
        "renewal": "2027-01-31",
        "managed": True,
        "portal": "https://portal.example.com/a",
        "owner_email": "ann@example.com",
        "note": "=SUM(A1) is not a formula here; “quotes”, commas",
    },
    {"tier": "Silver", "managed": False},
    {},
]


def records(kind: str, tags) -> list:
    made = []
    for n, values in enumerate(VALUES):
        if kind == "customers":
            record = CustomerFactory(
                name=f"Acme {n}",
                external_id=f"EXT-{n}" if n else "",
                company_phone="+44 20 7946 0000",
                country="GB",
                custom_field_data=values,
            )
        elif kind == "contacts":
            customer = CustomerFactory(name=f"Owner {n}")
            record = Contact.objects.create(
                customer=customer,
                name=f"Ann {n}",
                email=f"ann{n}@example.com",
                custom_field_data=values,
            )
        elif kind == "locations":
            record = LocationFactory(name=f"Site {n}", country="DE", custom_field_data=values)
        else:
            record = AssetFactory(custom_field_data=values, value="1234.50")
        if n < 2:
            record.tags.add(*tags[: n + 1])
        made.append(record)
    return made


@pytest.mark.parametrize("kind", ["customers", "contacts", "locations", "assets"])
def test_a_full_export_imported_unchanged_changes_nothing(kind, admin, define, make_tag, upload):
    every_type(define, kind.removesuffix("s"))
    tags = [make_tag("VIP", "red"), make_tag("Renewal due", "yellow")]
    records(kind, tags)
    text = export(admin, kind)
    header = next(csv.reader(io.StringIO(text)))
    assert "cf_tier" in header and "cf_modules" in header and header[-1] == "tags"
    assert "'=SUM(A1)" in text  # a formula-looking cell is written as text
    response = upload(admin, kind, csv_file(text))
    assert response.status_code in (200, 302)
    job = last_job()
    assert set(actions(job).values()) == {RowAction.UNCHANGED}, [
        (row.line, row.action, row.messages) for row in job.rows.all()
    ]


def test_custom_columns_and_tags_import_typed_and_checked(admin, define, make_tag, upload, confirm):
    every_type(define, "customer")
    make_tag("VIP")
    existing = CustomerFactory(name="Acme", external_id="A-1", custom_field_data={"seats": 1})
    text = (
        "name,external_id,cf_tier,cf_seats,cf_modules,cf_managed,tags\n"
        "Acme,A-1,silver,30,erp; crm,no,vip\n"
        "Newco,N-1,Gold,,,yes,\n"
    )
    upload(admin, "customers", csv_file(text))
    job = last_job()
    assert actions(job) == {2: RowAction.UPDATE, 3: RowAction.NEW}
    confirm(admin, job)
    existing.refresh_from_db()
    assert existing.custom_field_data == {
        "tier": "Silver",
        "seats": 30,
        "modules": ["CRM", "ERP"],
        "managed": False,
    }
    assert [tag.name for tag in existing.tags.all()] == ["VIP"]
    newco = Customer.objects.get(external_id="N-1")
    assert newco.custom_field_data == {"tier": "Gold", "managed": True}


def test_bad_custom_cells_are_row_errors_and_nothing_is_written(admin, define, upload, confirm):
    every_type(define, "customer")
    text = (
        "name,cf_tier,cf_seats,cf_portal,tags\n"
        "Good Co,Gold,1,https://example.com,\n"
        "Bad Co,Platinum,many,ftp://x,Nope\n"
    )
    upload(admin, "customers", csv_file(text))
    job = last_job()
    assert actions(job)[3] == RowAction.ERROR
    columns = {column for column, _ in messages_of(job, 3)}
    assert {"cf_tier", "cf_seats", "cf_portal", "tags"} <= columns
    confirm(admin, job)
    assert not Customer.objects.filter(name__in=["Good Co", "Bad Co"]).exists()
