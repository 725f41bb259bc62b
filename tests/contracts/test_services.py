"""Contracts as the account team sees them: terms that renew, reminders that go out once on
their day, blocks of hours drawn down by ticket time and billed beyond the block, the
service level a contract brings, and bad input that changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import StaffRole
from billing.models import InvoiceLine
from billing.services.invoicing import invoice_run
from contracts import services
from contracts.drawdown import drawdown_of
from contracts.models import Contract, ContractState
from core.notifications import Notification
from tests.factories import CustomerFactory, PlanFactory, UserFactory, subscribe
from tickets import services as tickets
from tickets.models import TimeEntry
from tickets.models_sla import SlaPolicy, policy_for
from tickets.time_log import parse_duration, ticket_log_time
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import make_contract

pytestmark = pytest.mark.django_db


def test_a_contract_is_created_with_history_and_its_creator_as_owner(manager, company):
    contract = make_contract(manager, company)
    assert contract.owner == manager and contract.reference == f"C-{contract.pk}"
    record = contract.history.get()
    assert (record.history_user, record.history_change_reason) == (manager, "Created")
    assert contract.notice_deadline == date(2026, 12, 1)
    assert contract.reminder_date == date(2026, 11, 1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "block"}, "hours_included"),
        ({"hours_included": "10"}, "hours_included"),
        ({"overage_rate": "90"}, "overage_rate"),
        ({"kind": "one_time", "auto_renew": True}, "auto_renew"),
        ({"auto_renew": True, "end_date": None}, "end_date"),
        ({"end_date": date(2025, 1, 1)}, "end_date"),
        ({"value": "-5"}, "value"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_written(manager, company, fields, field):
    with pytest.raises(ValidationError) as error:
        make_contract(manager, company, **fields)
    assert field in error.value.message_dict
    assert not Contract.objects.exists()


def test_viewers_cannot_write_and_only_managers_terminate(in_tenant, staff, company):
    viewer = UserFactory(role=StaffRole.VIEWER)
    with pytest.raises(PermissionDenied):
        make_contract(viewer, company)
    contract = make_contract(staff, company)
    with pytest.raises(PermissionDenied):
        services.contract_terminate(actor=staff, contract_id=contract.pk, reason="Too costly")


def test_the_reminder_goes_once_on_its_day_to_the_owner_with_a_webhook(
    manager, company, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/hook", events=["contract.renewal_due"]
    )
    contract = make_contract(manager, company, auto_renew=True)
    assert services.renewals_run(today=date(2026, 10, 31)) == (0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.renewals_run(today=date(2026, 11, 1)) == (0, 1)
    assert services.renewals_run(today=date(2026, 11, 2)) == (0, 0)  # once per term
    (email,) = mail.outbox
    assert email.to == [manager.email] and "notice by 2026-12-01" in email.subject
    assert "renews automatically on 2026-12-31" in email.body
    assert Notification.objects.filter(recipient=manager, kind="contract_renewal_due").exists()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.payload["object"]["reference"] == contract.reference
    assert delivery.payload["object"]["notice_deadline"] == "2026-12-01"
    contract.refresh_from_db()
    assert contract.state(date(2026, 11, 2)) == ContractState.RENEWAL_DUE


def test_an_auto_renewing_contract_renews_after_its_end_and_is_reminded_again(manager, company):
    contract = make_contract(manager, company, auto_renew=True)
    services.renewals_run(today=date(2026, 11, 1))
    renewed, reminded = services.renewals_run(today=date(2027, 1, 1))
    contract.refresh_from_db()
    assert renewed == 1 and contract.end_date == date(2027, 12, 31)
    assert contract.term_start == date(2027, 1, 1) and reminded == 0
    assert "Renewed automatically" in contract.history.first().history_change_reason
    assert services.renewals_run(today=date(2027, 11, 1)) == (0, 1)


def test_a_contract_that_does_not_renew_expires_and_a_terminated_one_never_renews(manager, company):
    plain = make_contract(manager, company)
    ending = make_contract(manager, company, name="Hosting", auto_renew=True)
    services.contract_terminate(actor=manager, contract_id=ending.pk, reason="Moving to cloud")
    assert services.renewals_run(today=date(2027, 1, 5))[0] == 0
    plain.refresh_from_db()
    ending.refresh_from_db()
    assert plain.state(date(2027, 1, 5)) == ContractState.EXPIRED
    assert ending.state(date(2027, 1, 5)) == ContractState.TERMINATED
    assert ending.end_date == date(2026, 12, 31) and not ending.auto_renew
    with pytest.raises(ValidationError):
        services.contract_renew(actor=manager, contract_id=ending.pk)


def test_states_filter_like_they_read(manager, company):
    today = date(2026, 11, 15)
    running = make_contract(manager, company, end_date=date(2027, 6, 30))
    due = make_contract(manager, company, name="Due")
    upcoming = make_contract(
        manager, company, name="Later", start_date=date(2027, 1, 1), end_date=date(2027, 12, 31)
    )
    expired = make_contract(
        manager, company, name="Old", start_date=date(2025, 1, 1), end_date=date(2025, 12, 31)
    )
    for contract, state in [
        (running, ContractState.ACTIVE),
        (due, ContractState.RENEWAL_DUE),
        (upcoming, ContractState.UPCOMING),
        (expired, ContractState.EXPIRED),
    ]:
        assert contract.state(today) == state
        assert list(Contract.objects.in_state(state, today)) == [contract]


def test_time_on_tickets_draws_down_a_block_and_the_run_bills_the_overage(
    manager, company, django_capture_on_commit_callbacks
):
    plan = PlanFactory(name="Care", monthly_fee="100.00", seat_fee="0")
    subscribe(company, plan, seats=1, start_date=date(2026, 1, 1))
    contract = make_contract(
        manager,
        company,
        kind="block",
        hours_included="10",
        overage_rate="90.00",
        value="900.00",
    )
    ticket = tickets.ticket_open(
        actor=manager,
        customer_id=company.pk,
        subject="Server move",
        description="Move it",
        requester_email="it@globex.example",
    )
    for day, minutes in [
        (date(2026, 2, 10), 8 * 60),
        (date(2026, 3, 3), 3 * 60),
        (date(2026, 3, 20), 90),
    ]:
        ticket_log_time(actor=manager, ticket_id=ticket.pk, minutes=minutes, work_date=day)
    usage = drawdown_of(contract, date(2026, 3, 31))
    assert (usage.used_minutes, usage.over_minutes, usage.left_minutes) == (750, 150, 0)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_run(month=date(2026, 2, 1), actor=None, notify=False)
        invoice_run(month=date(2026, 3, 1), actor=None, notify=False)
    lines = InvoiceLine.objects.filter(kind="contract")
    (line,) = lines  # February stayed within the block
    assert line.invoice.period_start == date(2026, 3, 1)
    assert (line.quantity, line.unit_price, line.amount) == (
        Decimal("2.50"),
        Decimal("90.00"),
        Decimal("225.00"),
    )
    assert contract.reference in line.description


def test_a_contracts_service_level_comes_before_the_companys_own(manager, company):
    gold = SlaPolicy.objects.create(name="Gold")
    assert policy_for(company) != gold
    make_contract(
        manager,
        company,
        sla_policy=gold,
        end_date=None,
        start_date=date.today() - timedelta(days=1),
    )
    assert policy_for(company) == gold
    child = CustomerFactory(parent=company)
    assert policy_for(child) == gold


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("45", 45),
        ("45m", 45),
        ("1h30", 90),
        ("1h 30m", 90),
        ("1.5h", 90),
        ("1:30", 90),
        ("2h", 120),
        ("1,25h", 75),
    ],
)
def test_time_is_typed_the_way_people_write_it(typed, minutes):
    assert parse_duration(typed) == minutes


@pytest.mark.parametrize("typed", ["", "soon", "0", "25h", "1:75", "-3"])
def test_odd_durations_are_refused(typed):
    with pytest.raises(ValidationError):
        parse_duration(typed)


def test_time_cannot_be_logged_ahead_or_by_customer_users(manager, company):
    ticket = tickets.ticket_open(
        actor=manager,
        customer_id=company.pk,
        subject="Check",
        description="x",
        requester_email="it@globex.example",
    )
    with pytest.raises(ValidationError):
        ticket_log_time(
            actor=manager,
            ticket_id=ticket.pk,
            minutes=30,
            work_date=date.today() + timedelta(days=1),
        )
    assert not TimeEntry.objects.exists()


def test_erasing_the_owner_clears_them_from_the_contract_and_its_time(manager, company, staff):
    from privacy.services import person_erase

    contract = make_contract(staff, company)
    ticket = tickets.ticket_open(
        actor=staff,
        customer_id=company.pk,
        subject="Check",
        description="x",
        requester_email="it@globex.example",
    )
    entry = ticket_log_time(actor=staff, ticket_id=ticket.pk, minutes=30, note="By Sam")
    person_erase(email=staff.email, reason="Request of 2026-12-01", actor=manager)
    contract.refresh_from_db()
    entry.refresh_from_db()
    assert contract.owner_id is None and entry.user_id is None
    assert contract.history.filter(owner_id=staff.pk).count() == 0
