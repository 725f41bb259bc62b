"""The customers import's parent column: checked like the customer form's (known, not itself,
no cycle, also through the same file's rows), in memory."""

import pytest

from customers.models import Customer
from fields.models import CustomField
from imports.models import ImportStatus
from tests.factories import CustomerFactory

from .conftest import actions, checked_with_queries, csv_file, last_job, messages_of

pytestmark = pytest.mark.django_db


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
    CustomField.objects.create(object_kind="customer", key="tier", label="Tier", field_type="text")
    top = CustomerFactory(name="Top", external_id="TOP")
    middle = CustomerFactory(name="Middle", external_id="MID", parent=top)
    for index in range(20):
        CustomerFactory(name=f"Existing {index}", external_id=f"E-{index}", parent=middle)

    def queries(rows: int) -> int:
        data = "name,external_id,parent,cf_tier\n" + "".join(
            f"Existing {i},E-{i},TOP,Tier: Gold\nNew {rows}-{i},N-{rows}-{i},MID,\n"
            for i in range(rows)
        )
        job, count = checked_with_queries(staff, "customers", data)
        assert (job.update_count, job.new_count) == (rows, rows)
        return count

    assert queries(2) == queries(20)
