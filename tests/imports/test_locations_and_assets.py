"""The locations and assets imports: locations upsert by customer and name, assets by serial
number, naming their owner, site and project; lookups are preloaded."""

import pytest

from assets.models import Asset
from locations.models import Location
from tests.factories import CustomerFactory, LocationFactory

from .conftest import actions, checked_with_queries, csv_file, last_job, messages_of

pytestmark = pytest.mark.django_db


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
