"""The demo data reads like a real workspace: no generated filler text, statuses that agree
with each other, and history dated when things happened (#17 item 9).

One test looks at all of it (and at the year of billing the demo shows): building the demo
takes most of a minute."""

import pytest
from django.db.models import Q
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(in_tenant):
    from assets.demo import create_demo_operations
    from billing.demo import create_demo_billing
    from customers.demo import create_demo_customers
    from portal.demo import create_demo_portal_users

    create_demo_customers(count=150)
    create_demo_operations()
    create_demo_portal_users("Demo-password-2026")
    return create_demo_billing()


def test_the_demo_reads_like_a_real_workspace(demo):
    descriptions_and_notes_are_what_an_account_manager_would_write()
    statuses_agree_prospects_have_no_running_projects_and_closed_relationships_no_portal()
    each_customers_creation_is_dated_when_it_came_on_board()
    a_year_of_billing_and_one_suspended_company(suspended_admin=demo)
    support_tickets_with_service_levels_and_a_rating()
    portal_users_have_used_the_portal()


def portal_users_have_used_the_portal():
    """Feature adoption has figures: every demo user used a few sections on some days."""
    from portal.models import Membership, PortalUsage

    used = set(PortalUsage.objects.values_list("user_id", flat=True))
    assert used == set(Membership.objects.values_list("user_id", flat=True))
    assert {"overview", "billing"} <= set(PortalUsage.objects.values_list("feature", flat=True))
    assert not PortalUsage.objects.filter(day__gt=timezone.localdate()).exists()


def support_tickets_with_service_levels_and_a_rating():
    from accounts.models import StaffRole
    from tests.factories import UserFactory
    from tickets.demo import create_demo_tickets
    from tickets.models import Ticket

    UserFactory(role=StaffRole.STAFF)
    create_demo_tickets()
    tickets = list(Ticket.objects.all())
    assert {t.status for t in tickets} >= {"new", "open", "waiting", "resolved"}
    assert all(t.sla_policy and t.sla_policy.is_default for t in tickets)
    assert [t.rating for t in tickets if t.status == "resolved"] == ["good"]
    assert all(t.requester and t.customer_id == t.requester.membership.customer_id for t in tickets)
    create_demo_tickets()  # a second run changes nothing
    assert Ticket.objects.count() == len(tickets)
    contracts_in_every_state_and_a_block_in_use()


def contracts_in_every_state_and_a_block_in_use():
    from django.utils import timezone

    from accounts.models import StaffRole
    from contracts.demo import create_demo_contracts
    from contracts.drawdown import drawdown_of
    from contracts.models import Contract
    from tests.factories import UserFactory

    UserFactory(role=StaffRole.ADMIN)
    create_demo_contracts()
    today = timezone.localdate()
    contracts = list(Contract.objects.all())
    assert {c.state(today) for c in contracts} == {
        "active",
        "renewal_due",
        "expired",
        "upcoming",
    }
    (block,) = [c for c in contracts if c.kind == "block"]
    assert 0 < drawdown_of(block, today).used_minutes < block.hours_included * 60
    create_demo_contracts()
    assert Contract.objects.count() == len(contracts)


def a_year_of_billing_and_one_suspended_company(suspended_admin):
    from billing import figures
    from billing.demo import create_demo_billing
    from billing.models import Invoice
    from customers.models import Customer

    assert suspended_admin
    assert Customer.objects.filter(portal_access="suspended").count() == 1
    statuses = set(Invoice.objects.values_list("status", flat=True))
    assert {"paid", "overdue"} <= statuses and statuses & {"issued", "partially_paid"}
    months = list(Invoice.objects.dates("period_start", "month"))
    assert len(months) >= 12
    assert all(value for value in dict(figures.mrr_by_month(months[-6], months[-1])).values())
    assert create_demo_billing() == suspended_admin  # a second run changes nothing


def descriptions_and_notes_are_what_an_account_manager_would_write():
    from customers.demo import NOTES
    from customers.models import Customer

    customers = list(Customer.objects.values("industry", "description", "internal_notes"))
    assert all(c["internal_notes"] in ("", *NOTES) for c in customers)
    assert sum(bool(c["internal_notes"]) for c in customers) > 20
    for customer in customers:
        assert customer["description"].endswith("."), customer
        assert customer["industry"].lower() in customer["description"].lower(), customer


def statuses_agree_prospects_have_no_running_projects_and_closed_relationships_no_portal():
    from billing.models import Project, Subscription
    from customers.models import Customer, PortalAccess
    from portal.models import Membership

    today = timezone.localdate()
    started = Project.objects.filter(start_date__lte=today)
    assert not started.filter(customer__status="prospect").exists()
    running = started.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    assert not running.filter(customer__status__in=["inactive", "former"]).exists()
    assert running.filter(customer__status="active").exists()

    closed = Customer.objects.exclude(status="active")
    assert closed.exists()
    assert not closed.filter(portal_access=PortalAccess.ACTIVE).exists()
    assert not closed.filter(account_status_reason="").exists()
    assert not Membership.objects.exclude(customer__status="active").exists()
    assert not Customer.objects.filter(subsidiaries__isnull=False).exclude(status="active").exists()
    assert not Subscription.objects.exclude(customer__status="active").exists()


def each_customers_creation_is_dated_when_it_came_on_board():
    from customers.models import Customer

    added = Customer.history.filter(history_type="+")
    assert added.count() == Customer.objects.count()
    dates = set(added.values_list("history_date__date", flat=True))
    assert len(dates) > 50, "spread over years, not all today"
    on_board = Customer.objects.filter(pk__in=added.values("id")).values("pk", "created_at")
    when = dict(added.values_list("id", "history_date"))
    assert all(when[row["pk"]] == row["created_at"] for row in on_board)
