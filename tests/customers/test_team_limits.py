"""A staff user limited to assigned customers sees and acts on only those, everywhere: the
dashboard's figures, billing pages, customer tabs and actions, pickers, bulk changes and
imports. Tenant-wide operations (invoice runs, billing settings, plans, webhooks) are refused
with a reason. An unlimited user sees everything as before."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import SignInEvent, StaffRole
from assets.models import Asset
from billing import figures
from billing.models import Invoice, Metric, UsageRecord
from billing.services.payments import payment_record
from core.scope import scope_for
from customers.access import staff_customer_access_set
from customers.models import Customer
from imports.models import ImportJob, ImportStatus
from locations.models import Location
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    LocationFactory,
    MembershipFactory,
    PlanFactory,
    ProjectFactory,
    UserFactory,
    subscribe,
)

# Plan: 100 a month plus 10 a seat. Mine has 1 seat (110), Theirs 2 (120).
MINE_MRR, THEIRS_MRR = Decimal("110.00"), Decimal("120.00")


def limit(user, owner, customers):
    return staff_customer_access_set(
        member=user, access="assigned", teams=[], customers=customers, actor=owner
    )


def issued_invoice(customer, *, number, total="100.00", paid="0"):
    today = timezone.localdate()
    invoice = Invoice.objects.create(
        customer=customer,
        customer_name=customer.name,
        number=number,
        status="issued",
        period_start=today.replace(day=1),
        period_end=today.replace(day=1),
        issue_date=today,
        due_date=today + timedelta(days=30),
        subtotal=Decimal(total),
        total=Decimal(total),
    )
    if Decimal(paid):
        payment_record(
            invoice_id=invoice.pk,
            amount=Decimal(paid),
            method="card",
            paid_on=today,
            actor=None,
            notify=False,
        )
    return invoice


@pytest.fixture
def world(in_tenant):
    owner = UserFactory(role=StaffRole.OWNER)
    mine = CustomerFactory(name="Mine Corp", external_id="MINE-1")
    child = CustomerFactory(name="Mine Child", parent=mine, external_id="MINE-2")
    theirs = CustomerFactory(name="Theirs Corp", external_id="THEIRS-1")
    for customer in (mine, child, theirs):
        LocationFactory(customer=customer, name=f"{customer.name} HQ")
    AssetFactory(owner=mine, location=None, name="Mine laptop", serial_number="SN-MINE")
    AssetFactory(owner=theirs, location=None, name="Theirs laptop", serial_number="SN-THEIRS")
    plan = PlanFactory(name="Basic")
    start = timezone.localdate().replace(day=1) - timedelta(days=200)
    subscribe(mine, plan, seats=1, start_date=start)
    subscribe(theirs, plan, seats=2, start_date=start)
    issued_invoice(mine, number="T-0001", paid="40.00")
    issued_invoice(theirs, number="T-0002", paid="70.00")
    member = limit(UserFactory(role=StaffRole.STAFF), owner, [mine])
    admin = limit(UserFactory(role=StaffRole.ADMIN), owner, [mine])
    return {
        "owner": owner,
        "member": member,
        "admin": admin,
        "unlimited": UserFactory(role=StaffRole.ADMIN),
        "mine": mine,
        "child": child,
        "theirs": theirs,
        "plan": plan,
    }


def client_for(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(user)
    return client


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


# --- Dashboard --------------------------------------------------------------------------------


def chart(analytics, key):
    return next(item["data"] for item in analytics["charts"] if item["key"] == key)


def test_the_dashboard_of_a_limited_user_counts_their_customers_only(world):
    theirs_user = MembershipFactory(customer=world["theirs"]).user
    theirs_user.last_login = timezone.now()
    theirs_user.save(update_fields=["last_login"])
    SignInEvent.objects.create(user=theirs_user, email=theirs_user.email, succeeded=True)
    SignInEvent.objects.create(user=None, email="who@example.com", succeeded=False)

    response = client_for(world["admin"]).get("/")
    analytics = response.context["analytics"]
    assert analytics["figures"]["mrr"] == MINE_MRR
    assert analytics["figures"]["outstanding"] == Decimal("60.00")
    assert sum(chart(analytics, "by_type")["series"]["Customers"]) == 2  # Mine and its child
    assert sum(Decimal(v) for v in chart(analytics, "mrr")["series"]["Payments received"]) == 40
    # Sign-ins: the staff's (signing in the test client is one), not Theirs' portal user's.
    staff_sign_ins = SignInEvent.objects.filter(succeeded=True).exclude(user__role="").count()
    assert sum(chart(analytics, "sign_ins")["series"]["Sign-ins"]) == staff_sign_ins
    assert analytics["active_portal_users"] == 0
    assert response.context["recent_failures"] is None  # emails tried anywhere: not theirs

    everything = client_for(world["unlimited"]).get("/")
    analytics = everything.context["analytics"]
    assert analytics["figures"]["mrr"] == MINE_MRR + THEIRS_MRR
    assert analytics["figures"]["outstanding"] == Decimal("90.00")
    assert sum(chart(analytics, "by_type")["series"]["Customers"]) == 3
    assert sum(Decimal(v) for v in chart(analytics, "mrr")["series"]["Payments received"]) == 110
    all_sign_ins = SignInEvent.objects.filter(succeeded=True).count()
    assert sum(chart(analytics, "sign_ins")["series"]["Sign-ins"]) == all_sign_ins
    assert analytics["active_portal_users"] == 1
    assert list(everything.context["recent_failures"])


def test_the_limited_series_follow_the_customers_own_history(world):
    """MRR by month and new customers per month, bounded to the scope."""
    scope = scope_for(world["member"])
    analytics = figures.dashboard(6, scope)
    assert Decimal(chart(analytics, "mrr")["series"]["MRR (plans, seats, projects)"][-1]) == (
        MINE_MRR
    )
    assert sum(chart(analytics, "customers")["series"]["New customers"]) == 2
    whole = figures.dashboard(6)
    assert sum(chart(whole, "customers")["series"]["New customers"]) == 3


def normalised(queries) -> list[str]:
    """The SQL without its literal values (timestamps differ from one call to the next)."""
    return [re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"]) for query in queries]


def test_an_unlimited_scope_runs_exactly_the_tenant_wide_dashboard_queries(world):
    with CaptureQueriesContext(connection) as tenant_wide:
        figures.dashboard(12)
    with CaptureQueriesContext(connection) as unlimited:
        figures.dashboard(12, scope_for(world["unlimited"]))
    assert normalised(unlimited) == normalised(tenant_wide)
    scope = scope_for(world["member"])  # one query, once per request
    with CaptureQueriesContext(connection) as limited:
        figures.dashboard(12, scope)
    assert len(limited) == len(tenant_wide)


def test_the_invoice_list_figures_follow_the_limit(world):
    response = client_for(world["member"]).get("/billing/invoices/")
    assert response.context["figures"]["outstanding"] == Decimal("60.00")
    assert "T-0002" not in body(response) and "T-0001" in body(response)
    response = client_for(world["unlimited"]).get("/billing/invoices/")
    assert response.context["figures"]["outstanding"] == Decimal("90.00")


# --- Tenant-wide operations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/billing/invoice-runs/", "/billing/settings/", "/billing/plans/add/", "/settings/webhooks/"],
)
def test_tenant_wide_pages_are_refused_to_a_limited_admin_with_the_reason(world, url):
    response = client_for(world["admin"]).get(url)
    assert response.status_code == 403
    if "webhooks" not in url:  # webhooks are the owner's, and an owner is never limited
        assert "you see only the customers assigned to you" in body(response)
    assert client_for(world["owner"]).get(url).status_code == 200


def test_a_limited_admin_cannot_start_an_invoice_run_or_change_a_plan(world):
    client = client_for(world["admin"])
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    response = client.post("/billing/invoice-runs/", {"month": month, "issue": "on"})
    assert response.status_code == 403
    response = client.post(
        f"/billing/plans/{world['plan'].pk}/",
        {"name": "Cheap", "monthly_fee": "1", "seat_fee": "0", "is_active": "on"},
    )
    assert response.status_code == 403
    world["plan"].refresh_from_db()
    assert world["plan"].name == "Basic"


def test_the_plan_list_counts_a_limited_users_subscribers_only(world):
    plans = client_for(world["member"]).get("/billing/plans/").context["table"].data
    assert [plan.subscriber_count for plan in plans] == [1]
    plans = client_for(world["unlimited"]).get("/billing/plans/").context["table"].data
    assert [plan.subscriber_count for plan in plans] == [2]


# --- Billing lists and entries ----------------------------------------------------------------


def test_payments_and_usage_lists_show_their_customers_only(world):
    metric = Metric.objects.order_by("pk").first()
    for customer in (world["mine"], world["theirs"]):
        UsageRecord.objects.create(
            customer=customer, metric=metric, day=timezone.localdate(), quantity=7
        )
    client = client_for(world["member"])
    for url in ("/billing/payments/", "/billing/payments/?export=csv", "/billing/usage/"):
        page = body(client.get(url))
        assert "Mine Corp" in page or "T-0001" in page, url
        assert "Theirs Corp" not in page and "T-0002" not in page, url
    page = body(client_for(world["unlimited"]).get("/billing/payments/"))
    assert "T-0001" in page and "T-0002" in page


def test_usage_cannot_be_recorded_for_a_customer_out_of_reach(world):
    metric = Metric.objects.order_by("pk").first()
    response = client_for(world["member"]).post(
        "/billing/usage/add/",
        {
            "customer": world["theirs"].pk,
            "metric": metric.pk,
            "day": timezone.localdate().isoformat(),
            "quantity": "5",
        },
    )
    assert response.status_code == 200
    assert "Choose a customer from the list." in body(response)
    assert not UsageRecord.objects.filter(customer=world["theirs"]).exists()


def test_the_commission_report_offers_reachable_resellers_only(world):
    from billing.models import BillingProfile

    for reseller in (world["mine"], world["theirs"]):
        BillingProfile.objects.update_or_create(
            customer=reseller, defaults={"is_reseller": True, "commission_rate": Decimal("10")}
        )
    client = client_for(world["admin"])
    page = body(client.get("/billing/commissions/"))
    assert "Mine Corp" in page and "Theirs Corp" not in page
    response = client.get(f"/billing/commissions/?reseller={world['theirs'].pk}")
    assert response.status_code == 400
    assert "Theirs Corp" not in body(client.get("/billing/commissions/?export=csv"))
    assert "Theirs Corp" in body(client_for(world["unlimited"]).get("/billing/commissions/"))


# --- Customer pages, actions, pickers, bulk changes ----------------------------------------------


@pytest.mark.parametrize(
    "tab", ["", "billing/", "locations/", "history/", "projects/", "linked/", "users/", "edit/"]
)
def test_every_tab_of_a_customer_out_of_reach_is_not_found(world, tab):
    url = f"/customers/{world['theirs'].pk}/{tab}"
    if tab == "billing/":
        url = f"/billing/customers/{world['theirs'].pk}/"
    assert client_for(world["admin"]).get(url).status_code == 404
    assert client_for(world["unlimited"]).get(url).status_code == 200
    mine = url.replace(str(world["theirs"].pk), str(world["child"].pk))
    assert client_for(world["admin"]).get(mine).status_code == 200


def test_actions_on_a_customer_out_of_reach_are_not_found_and_change_nothing(world):
    client = client_for(world["admin"])
    theirs = world["theirs"]
    for action in ("archive", "delete"):
        assert client.post(f"/customers/{theirs.pk}/{action}/").status_code == 404
    portal_user = MembershipFactory(customer=theirs)
    response = client.post(
        f"/customers/{theirs.pk}/users/{portal_user.pk}/action/", {"action": "unlock"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_archived and theirs.deleted_at is None
    assert client.post(f"/customers/{world['child'].pk}/archive/").status_code == 302


def test_a_limited_admin_restores_and_purges_deleted_customers_in_reach_only(world):
    from customers.services import customer_soft_delete

    for customer in (world["child"], world["theirs"]):
        customer_soft_delete(customer_id=customer.pk, actor=world["owner"])
    client = client_for(world["admin"])
    deleted = body(client.get("/customers/?deleted=only"))
    assert "Mine Child" in deleted and "Theirs Corp" not in deleted
    theirs = world["theirs"]
    assert client.post(f"/customers/{theirs.pk}/restore/").status_code == 404
    assert client.post(f"/customers/{theirs.pk}/purge/").status_code == 404
    assert Customer.objects.get(pk=theirs.pk).deleted_at is not None
    assert client.post(f"/customers/{world['child'].pk}/restore/").status_code == 302
    assert Customer.objects.get(pk=world["child"].pk).deleted_at is None


def test_pickers_offer_reachable_customers_locations_and_projects_only(world):
    ProjectFactory(customer=world["mine"], name="Mine rollout")
    ProjectFactory(customer=world["theirs"], name="Theirs rollout")
    client = client_for(world["member"])
    assert "Mine rollout" in body(client.get("/assets/add/"))
    for url in (
        "/customers/autocomplete/?q=corp",
        "/customers/autocomplete/",
        "/locations/autocomplete/?q=HQ",
        "/billing/projects/add/",
        "/assets/add/",
    ):
        page = body(client.get(url))
        assert "Theirs" not in page, url
    assert "Theirs Corp" in body(client_for(world["unlimited"]).get("/customers/autocomplete/"))
    assert "Theirs rollout" in body(client_for(world["unlimited"]).get("/assets/add/"))


def test_records_cannot_be_added_for_a_customer_out_of_reach(world):
    response = client_for(world["member"]).post(
        "/locations/add/", {"customer": world["theirs"].pk, "name": "Sneaky site"}
    )
    assert response.status_code == 200
    assert "Choose a customer from the list." in body(response)
    assert not Location.objects.filter(name="Sneaky site").exists()


def test_a_bulk_change_with_an_asset_out_of_reach_changes_nothing(world):
    ids = list(Asset.objects.values_list("pk", flat=True))
    response = client_for(world["member"]).post(
        "/assets/bulk/", {"action": "status", "status": "retired", "asset_ids": ids}
    )
    assert response.status_code == 302
    assert not Asset.objects.filter(status="retired").exists()


# --- Imports ------------------------------------------------------------------------------------


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Upload a CSV as ``user`` and run its dry run; returns the job."""

    def post(user, kind: str, text: str):
        client = client_for(user)
        file = SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/imports/{kind}/", {"file": file})
        assert response.status_code == 302, body(response)
        return ImportJob.objects.order_by("-pk").first()

    return post


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    def post(user, job):
        with django_capture_on_commit_callbacks(execute=True):
            client_for(user).post(f"/imports/jobs/{job.pk}/confirm/")
        job.refresh_from_db()
        return job

    return post


def outcome(job) -> dict[int, tuple[str, dict]]:
    return {row.line: (row.action, dict(row.messages)) for row in job.rows.all()}


def test_a_limited_users_location_import_refers_to_their_customers_only(world, upload):
    text = (
        "customer,name\n"
        "MINE-1,New site\n"
        "Mine Child,Child site\n"
        "THEIRS-1,Sneaky site\n"
        "Nobody Inc,Ghost site\n"
    )
    before = Location.objects.count()
    job = upload(world["member"], "locations", text)
    rows = outcome(job)
    assert [rows[line][0] for line in (2, 3, 4, 5)] == ["new", "new", "error", "error"]
    # Out of reach reads exactly like a customer that does not exist.
    assert rows[4][1]["customer"] == (
        "No customer you can reach has the external ID or name “THEIRS-1”."
    )
    assert rows[5][1]["customer"] == (
        "No customer you can reach has the external ID or name “Nobody Inc”."
    )
    assert not job.can_confirm and Location.objects.count() == before
    job = upload(world["unlimited"], "locations", text)
    rows = outcome(job)
    assert [rows[line][0] for line in (2, 3, 4, 5)] == ["new", "new", "new", "error"]
    assert rows[5][1]["customer"] == "No customer has the external ID or name “Nobody Inc”."


def test_an_import_confirmed_by_a_limited_admin_is_checked_against_their_reach(
    world, upload, confirm
):
    job = upload(world["unlimited"], "locations", "customer,name\nTHEIRS-1,Annex\n")
    assert job.status == ImportStatus.READY
    job = confirm(world["admin"], job)
    assert job.status == ImportStatus.FAILED
    assert not Location.objects.filter(name="Annex").exists()


def test_a_limited_user_adds_customers_only_below_one_of_theirs(world, upload, confirm):
    text = (
        "name,external_id,parent,industry\n"
        "Mine Corp,MINE-1,,Energy\n"
        "New Sub,NEW-1,MINE-1,Retail\n"
        "New Top,NEW-2,,Retail\n"
        "Theirs Corp,THEIRS-1,,Energy\n"
        "Sneaky,NEW-3,THEIRS-1,Retail\n"
    )
    job = upload(world["member"], "customers", text)
    rows = outcome(job)
    assert [rows[line][0] for line in (2, 3, 4, 5, 6)] == [
        "update",
        "new",
        "error",
        "error",
        "error",
    ]
    assert "a new customer needs a parent customer you can reach" in rows[4][1]["parent"]
    assert "No customer you can reach has the external ID “THEIRS-1”" in rows[5][1]["external_id"]
    assert rows[6][1]["parent"] == (
        "No customer you can reach has the external ID or name “THEIRS-1”."
    )
    assert not job.can_confirm and not Customer.objects.filter(name="New Sub").exists()

    job = upload(world["member"], "customers", "\n".join(text.splitlines()[:3]) + "\n")
    assert job.can_confirm
    assert confirm(world["member"], job).status == ImportStatus.DONE
    new = Customer.objects.get(external_id="NEW-1")
    assert new.parent_id == world["mine"].pk
    assert "New Sub" in body(client_for(world["member"]).get("/customers/"))
    assert Customer.objects.get(pk=world["theirs"].pk).industry == world["theirs"].industry


def test_a_limited_users_asset_import_changes_only_assets_in_reach(world, upload):
    text = (
        "name,serial_number,owner,location,location_customer\n"
        "Mine tablet,SN-NEW1,MINE-1,,\n"
        "Taken,SN-THEIRS,MINE-1,,\n"
        "Loose,SN-NEW2,,,\n"
        "Theirs too,SN-NEW3,THEIRS-1,,\n"
        "At their site,SN-NEW4,MINE-1,Theirs Corp HQ,THEIRS-1\n"
        "At my site,SN-NEW5,,Mine Child HQ,Mine Child\n"
    )
    job = upload(world["member"], "assets", text)
    rows = outcome(job)
    assert [rows[line][0] for line in range(2, 8)] == [
        "new",
        "error",
        "error",
        "error",
        "error",
        "new",
    ]
    assert (
        "No asset you can reach has the serial number “SN-THEIRS”" in (rows[3][1]["serial_number"])
    )
    assert "give an owner, or a location, of one of them" in rows[4][1]["owner"]
    assert (
        rows[5][1]["owner"] == "No customer you can reach has the external ID or name “THEIRS-1”."
    )
    assert "location_customer" in rows[6][1]
    assert not job.can_confirm
    assert Asset.objects.get(serial_number="SN-THEIRS").owner_id == world["theirs"].pk


def test_a_limited_admins_usage_import_covers_their_customers_only(world, upload):
    day = (timezone.localdate() - timedelta(days=40)).isoformat()
    text = (
        f"customer,metric,day,quantity\nMINE-1,operations,{day},10\nTHEIRS-1,operations,{day},10\n"
    )
    rows = outcome(upload(world["admin"], "usage", text))
    assert rows[2][0] == "new"
    assert rows[3] == (
        "error",
        {"customer": "No customer you can reach has the external ID or name “THEIRS-1”."},
    )
    rows = outcome(upload(world["unlimited"], "usage", text))
    assert rows[2][0] == rows[3][0] == "new"


def test_the_upload_page_tells_a_limited_user_the_rule(world):
    page = body(client_for(world["member"]).get("/imports/customers/"))
    assert "a new customer needs one of them as its parent" in page
    page = body(client_for(world["unlimited"]).get("/imports/customers/"))
    assert "You see only the customers assigned to you" not in page
