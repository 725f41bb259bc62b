"""The usage import: billing usage by customer + metric + day, refused where billing refuses
usage (deleted customers, future days, days without a subscription or on an issued invoice),
all or nothing, a day's quantity replaced; only those who manage billing may import it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from billing.models import Metric, UsageRecord
from billing.services.invoicing import invoice_run
from billing.services.subscriptions import subscription_cancel
from billing.services.usage import USAGE_FUTURE_DAY, USAGE_NEGATIVE, USAGE_ON_ISSUED_INVOICE
from imports.models import ImportJob, ImportStatus
from imports.services import import_job_run
from tests.factories import CustomerFactory, PlanFactory, subscribe

from .conftest import csv_file

pytestmark = pytest.mark.django_db

INVOICED_MONTH = date(2026, 3, 1)


def last_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()


def outcome(job) -> dict[int, tuple[str, dict]]:
    return {row.line: (row.action, dict(row.messages)) for row in job.rows.all()}


@pytest.fixture
def admin(client_as):
    return client_as(StaffRole.ADMIN)


@pytest.fixture
def billed(in_tenant):
    """Acme subscribed since January with March invoiced; Gone (deleted), Idle (never
    subscribed) and Quit (cancelled at the end of January)."""
    plan = PlanFactory(name="Usage plan")
    acme = CustomerFactory(name="Acme", external_id="AC-1", billing_email="b@acme.example")
    subscribe(acme, plan, start_date=date(2026, 1, 1))
    invoice_run(month=INVOICED_MONTH, actor=None)
    gone = CustomerFactory(name="Gone", external_id="GO-1")
    subscribe(gone, plan, start_date=date(2026, 1, 1))
    gone.deleted_at = timezone.now()
    gone.save()
    CustomerFactory(name="Idle", external_id="ID-1")
    quit_ = CustomerFactory(name="Quit", external_id="QU-1")
    subscription = subscribe(quit_, plan, start_date=date(2026, 1, 1))
    subscription_cancel(subscription_id=subscription.pk, on=date(2026, 1, 31), actor=None)
    return acme


def test_dry_run_classifies_good_and_bad_rows_and_writes_nothing(admin, upload, billed):
    storage = Metric.objects.get(code="storage-gb")
    operations = Metric.objects.get(code="operations")
    UsageRecord.objects.create(customer=billed, metric=storage, day=date(2026, 4, 3), quantity=5)
    UsageRecord.objects.create(customer=billed, metric=operations, day=date(2026, 4, 4), quantity=9)
    tomorrow = timezone.localdate() + timedelta(days=1)
    text = (
        "customer,metric,day,quantity\n"
        "AC-1,operations,2026-04-02,1250\n"  # 2 new
        "acme,Storage,2026-04-03,7.5\n"  # 3 update (by name; metric by name)
        "AC-1,operations,2026-04-04,9.000\n"  # 4 unchanged
        "Nobody,operations,2026-04-02,1\n"  # 5 unknown customer
        "AC-1,minutes,2026-04-02,1\n"  # 6 unknown metric
        f"AC-1,bandwidth-gb,{tomorrow:%Y-%m-%d},1\n"  # 7 future
        "GO-1,operations,2026-04-02,1\n"  # 8 deleted customer
        "ID-1,operations,2026-04-02,1\n"  # 9 never subscribed
        "QU-1,operations,2026-03-02,1\n"  # 10 after the cancellation
        "AC-1,bandwidth-gb,2026-03-03,1\n"  # 11 on the issued March invoice
        "AC-1,bandwidth-gb,2026-04-05,-3\n"  # 12 negative
        "AC-1,bandwidth-gb,2026-04-06,lots\n"  # 13 not a number
        "AC-1,bandwidth-gb,31/31/2026,1\n"  # 14 not a date
        "ac-1,OPERATIONS,2026-04-02,2\n"  # 15 same key as line 2
    )
    upload(admin, "usage", csv_file(text))
    job = last_job()
    assert job.status == ImportStatus.READY
    rows = outcome(job)
    assert {line: action for line, (action, _) in rows.items()} == {
        2: "new",
        3: "update",
        4: "unchanged",
        **dict.fromkeys(range(5, 16), "error"),
    }
    assert "No customer" in rows[5][1]["customer"]
    assert "minutes" in rows[6][1]["metric"] and "operations" in rows[6][1]["metric"]
    assert rows[7][1]["day"] == USAGE_FUTURE_DAY
    assert "deleted" in rows[8][1]["customer"]
    assert rows[9][1]["day"] == "Idle had no active subscription on 2026-04-02."
    assert rows[10][1]["day"] == "Quit had no active subscription on 2026-03-02."
    assert rows[11][1]["day"] == USAGE_ON_ISSUED_INVOICE
    assert rows[12][1]["quantity"] == USAGE_NEGATIVE
    assert "not a number" in rows[13][1]["quantity"]
    assert "not a date" in rows[14][1]["day"]
    assert "line 2" in rows[15][1][""]
    assert job.rows.get(line=2).record == "Acme · Operations · 2026-04-02: 1250"
    assert UsageRecord.objects.count() == 2
    assert UsageRecord.objects.get(metric=storage).quantity == Decimal("5")
    page = admin.get(job.get_absolute_url())
    assert page.status_code == 200 and "issued invoice" in page.content.decode()


def test_import_upserts_and_replaces_a_days_quantity(admin, upload, confirm, billed):
    upload(
        admin, "usage", csv_file("customer,metric,day,quantity\nAC-1,operations,2026-04-02,10\n")
    )
    confirm(admin, last_job())
    upload(
        admin,
        "usage",
        csv_file(
            "customer,metric,day,quantity\nAC-1,operations,2026-04-02,12.5\n"
            "Acme,storage-gb,2026-04-02,3\n"
        ),
    )
    job = last_job()
    assert (job.new_count, job.update_count) == (1, 1)
    confirm(admin, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error_summary
    record = UsageRecord.objects.get(metric__code="operations")
    assert record.quantity == Decimal("12.5")
    assert (record.source, record.recorded_by) == ("import", admin.user)
    assert UsageRecord.objects.count() == 2


def test_import_is_all_or_nothing(admin, upload, billed):
    text = (
        "customer,metric,day,quantity\nAC-1,operations,2026-04-02,1\nAC-1,operations,2026-04-20,2\n"
    )
    upload(admin, "usage", csv_file(text))
    job = last_job()
    assert job.can_confirm
    # Between the check and the import, April is invoiced: the second row is refused now.
    invoice_run(month=date(2026, 4, 1), actor=None)
    UsageRecord.objects.all().delete()
    job.status = ImportStatus.RUNNING
    job.save()
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "Nothing was imported" in job.error_summary
    assert not UsageRecord.objects.exists()


@pytest.mark.parametrize("role", [StaffRole.STAFF, StaffRole.VIEWER])
def test_only_billing_managers_import_usage(client_as, role, billed):
    client = client_as(role)
    upload_url = reverse("imports:import_upload", kwargs={"kind": "usage"})
    assert client.get(upload_url).status_code == 403
    assert client.post(upload_url, {"file": csv_file("customer\n")}).status_code == 403
    template = reverse("imports:import_template", kwargs={"kind": "usage", "fmt": "csv"})
    assert client.get(template).status_code == 403
    assert upload_url not in client.get(reverse("billing:usagerecord_list")).content.decode()
    assert not ImportJob.objects.exists()


def test_billing_managers_get_the_page_templates_and_button(admin, billed):
    upload_url = reverse("imports:import_upload", kwargs={"kind": "usage"})
    page = admin.get(upload_url)
    assert page.status_code == 200 and "replaces" in page.content.decode()
    assert upload_url in admin.get(reverse("billing:usagerecord_list")).content.decode()
    csv = admin.get(reverse("imports:import_template", kwargs={"kind": "usage", "fmt": "csv"}))
    assert csv.content.decode("utf-8-sig").startswith("customer,metric,day,quantity")
    xlsx = admin.get(reverse("imports:import_template", kwargs={"kind": "usage", "fmt": "xlsx"}))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
