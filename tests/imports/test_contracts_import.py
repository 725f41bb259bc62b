"""The contracts import: rows find their contract by customer and name, keep the contract
form's rules, and a full export re-imports unchanged."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract
from tests.factories import CustomerFactory

from .conftest import actions, csv_file, last_job, messages_of

pytestmark = pytest.mark.django_db

FILE = (
    "customer,name,kind,start_date,end_date,auto_renew,notice_days,value,hours_included,"
    "overage_rate\n"
    "ACME-1,Support 2027,Block of hours,2027-01-01,2027-12-31,yes,60,1800,20,95\n"
    'Acme Corp,Hosting,retainer,2026-06-01,,no,30,"12,000.00",,\n'
)


def test_contracts_are_imported_with_history_then_unchanged_and_round_trip(
    staff, upload, confirm, in_tenant
):
    acme = CustomerFactory(name="Acme Corp", external_id="ACME-1")
    upload(staff, "contracts", csv_file(FILE))
    job = last_job()
    assert actions(job) == {2: "new", 3: "new"}
    confirm(staff, job)
    block = Contract.objects.get(name="Support 2027")
    assert (block.customer, block.kind, block.auto_renew) == (acme, "block", True)
    assert (block.end_date, block.notice_days) == (date(2027, 12, 31), 60)
    assert (block.hours_included, block.overage_rate) == (Decimal("20"), Decimal("95"))
    hosting = Contract.objects.get(name="Hosting")
    assert hosting.end_date is None and hosting.value == Decimal("12000")
    assert block.history.get().history_user == staff.user
    upload(staff, "contracts", csv_file(FILE))
    assert set(actions(last_job()).values()) == {"unchanged"}
    exported = staff.get(reverse("imports:full_export", kwargs={"kind": "contracts"}))
    text = b"".join(exported.streaming_content).decode()
    assert "Support 2027" in text
    upload(staff, "contracts", csv_file(text))
    assert set(actions(last_job()).values()) == {"unchanged"}


def test_rows_that_break_the_contract_rules_say_why_and_nothing_is_written(
    staff, upload, confirm, in_tenant
):
    CustomerFactory(name="Acme Corp", external_id="ACME-1")
    upload(
        staff,
        "contracts",
        csv_file(
            "customer,name,kind,start_date,end_date,auto_renew,hours_included\n"
            "ACME-1,Good,retainer,2027-01-01,2027-12-31,no,\n"
            "ACME-1,No hours,block,2027-01-01,2027-12-31,no,\n"
            "ACME-1,Backwards,retainer,2027-01-01,2026-12-31,no,\n"
            "ACME-1,Maybe,retainer,2027-01-01,2027-12-31,perhaps,\n"
            "NOPE,Lost,retainer,2027-01-01,,no,\n"
        ),
    )
    job = last_job()
    assert actions(job) == {2: "new", 3: "error", 4: "error", 5: "error", 6: "error"}
    assert "how many hours" in messages_of(job, 3)[0][1]
    assert "perhaps" in messages_of(job, 5)[0][1]
    confirm(staff, job)
    assert not Contract.objects.exists()
