"""Resellers' monthly commission statements: the basis the tenant chose (usage charges or
payments, consolidated invoices included), idempotent preparation, payout status changes and
bad input."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.models import (
    BillingProfile,
    BillingSettings,
    CommissionStatement,
    InvoiceLine,
    StatementStatus,
    UsageRecord,
)
from billing.money import add_months
from billing.services.commissions import (
    commission_statement_approve,
    commission_statement_mark_paid,
    commission_statement_void,
    prepare_commission_statements,
)
from billing.services.invoice_runs import invoice_run
from billing.services.payments import payment_record
from tests.factories import CustomerFactory, InvoiceFactory, subscribe

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def reseller_with_clients(rate="10", *clients, consolidated=False):
    reseller = CustomerFactory(name="Channel Partner")
    BillingProfile.objects.create(
        customer=reseller, is_reseller=True, commission_rate=rate, consolidated_billing=consolidated
    )
    made = [CustomerFactory(name=name, parent=reseller) for name in clients]
    return reseller, made


def set_basis(basis: str) -> None:
    BillingSettings.current()
    BillingSettings.objects.update(commission_basis=basis)


def line(invoice, kind, amount, sub_account=None):
    return InvoiceLine.objects.create(
        invoice=invoice,
        kind=kind,
        description=kind,
        amount=Decimal(amount),
        sub_account=sub_account,
        sub_account_name=sub_account.name if sub_account else "",
    )


def march_invoice(customer, total, **fields):
    fields = {
        "period_start": MONTH,
        "period_end": date(2026, 3, 31),
        "issue_date": date(2026, 4, 1),
        **fields,
    }
    return InvoiceFactory(customer=customer, total=total, **fields)


def statement_of(reseller, currency="USD"):
    return CommissionStatement.objects.exclude(status="void").get(
        reseller=reseller, month=MONTH, currency=currency
    )


def lines_of(statement):
    return {line.client_name: (line.base_amount, line.commission) for line in statement.lines.all()}


# --- The basis ---------------------------------------------------------------------------------


def test_usage_basis_counts_the_clients_usage_lines_including_those_on_the_resellers_invoice(
    in_tenant,
):
    set_basis("usage")
    reseller, (own, billed_to_reseller, idle) = reseller_with_clients(
        "10", "Own Invoice Ltd", "Consolidated Ltd", "Idle Ltd", consolidated=True
    )
    invoice = march_invoice(own, "150.00")
    line(invoice, "subscription", "100.00")  # not usage: no commission
    line(invoice, "usage", "50.00")
    consolidated = march_invoice(reseller, "400.00")
    line(consolidated, "usage", "80.00")  # the reseller's own usage: not a client's
    line(consolidated, "usage", "120.25", sub_account=billed_to_reseller)
    line(consolidated, "subscription", "200.00", sub_account=billed_to_reseller)
    void = march_invoice(own, "999.00", status="void")
    line(void, "usage", "999.00")
    april = march_invoice(own, "70.00", period_start=date(2026, 4, 1))
    line(april, "usage", "70.00")

    result = prepare_commission_statements(month=MONTH, actor=None)

    assert result.created == 1
    statement = statement_of(reseller)
    assert statement.basis == "usage" and statement.rate == Decimal("10.00")
    assert lines_of(statement) == {
        "Own Invoice Ltd": (Decimal("50.00"), Decimal("5.00")),
        "Consolidated Ltd": (Decimal("120.25"), Decimal("12.03")),
        "Idle Ltd": (Decimal("0.00"), Decimal("0.00")),
    }
    assert statement.base_total == Decimal("170.25") and statement.total == Decimal("17.03")
    assert statement.status == StatementStatus.PENDING
    assert statement.history.first().history_change_reason == "Commission statement prepared"


def test_payments_basis_counts_payments_received_and_the_clients_share_of_consolidated_ones(
    in_tenant,
):
    set_basis("payments")
    reseller, (own, billed_to_reseller) = reseller_with_clients(
        "20", "Own Invoice Ltd", "Consolidated Ltd", consolidated=True
    )
    invoice = march_invoice(own, "150.00", issue_date=date(2026, 3, 1))
    payment_record(
        invoice_id=invoice.pk, amount=Decimal("100"), method="card", paid_on=date(2026, 3, 20),
        actor=None,
    )  # fmt: skip
    payment_record(
        invoice_id=invoice.pk,
        amount=Decimal("50"),
        method="card",
        paid_on=date(2026, 4, 2),
        actor=None,
    )  # fmt: skip  (April: another month)
    consolidated = march_invoice(reseller, "400.00", issue_date=date(2026, 3, 1))
    line(consolidated, "subscription", "100.00")  # the reseller's own quarter
    line(consolidated, "subscription", "300.00", sub_account=billed_to_reseller)
    payment_record(
        invoice_id=consolidated.pk, amount=Decimal("200"), method="card",
        paid_on=date(2026, 3, 25), actor=None,
    )  # fmt: skip

    prepare_commission_statements(month=MONTH, actor=None)

    statement = statement_of(reseller)
    assert lines_of(statement) == {
        "Own Invoice Ltd": (Decimal("100.00"), Decimal("20.00")),
        "Consolidated Ltd": (Decimal("150.00"), Decimal("30.00")),  # 3/4 of 200
    }
    assert statement.total == Decimal("50.00") and statement.basis == "payments"


def test_a_real_invoice_run_with_consolidated_billing_feeds_the_usage_basis(in_tenant, plan):
    """The invoice run's own lines: a client billed to its reseller is still its client."""
    set_basis("usage")
    reseller, (client,) = reseller_with_clients("10", "Client Ltd", consolidated=True)
    subscribe(client, plan, seats=1, start_date=date(2026, 1, 1))
    UsageRecord.objects.create(
        customer=client, metric=plan.tiers.first().metric, day=date(2026, 3, 5), quantity=3000
    )
    invoice_run(month=MONTH, actor=None, notify=False)
    assert client.invoices.count() == 0 and reseller.invoices.count() == 1

    prepare_commission_statements(month=MONTH, actor=None)

    # 2,000 operations above the free 1,000 at 0.05: 100.00 of usage, 10 % of it.
    assert lines_of(statement_of(reseller)) == {"Client Ltd": (Decimal("100.00"), Decimal("10.00"))}


def test_another_currency_gets_a_statement_of_its_own(in_tenant):
    set_basis("usage")
    reseller, (client,) = reseller_with_clients("10", "Euro Client")
    line(march_invoice(client, "40.00", currency="EUR"), "usage", "40.00")
    prepare_commission_statements(month=MONTH, actor=None)
    assert statement_of(reseller, "EUR").total == Decimal("4.00")
    assert statement_of(reseller, "USD").total == Decimal("0.00")


# --- Idempotent preparation ----------------------------------------------------------------------


def test_preparing_again_refreshes_pending_statements_and_never_touches_approved_or_paid(
    in_tenant, make_user
):
    set_basis("usage")
    actor = make_user("admin")
    first, (first_client,) = reseller_with_clients("10", "First Client")
    second, (second_client,) = reseller_with_clients("10", "Second Client")
    line(march_invoice(first_client, "10.00"), "usage", "10.00")
    line(march_invoice(second_client, "10.00"), "usage", "10.00")
    prepare_commission_statements(month=MONTH, actor=actor)
    approved = commission_statement_approve(statement=statement_of(second), actor=actor)
    again = prepare_commission_statements(month=MONTH, actor=actor)
    assert (again.created, again.refreshed, again.unchanged, again.kept) == (0, 0, 1, 1)

    # New charges for both clients: the pending one follows, the approved one stays.
    line(march_invoice(first_client, "30.00", number="LATE-1", period_start=date(2026, 3, 15)),
         "usage", "30.00")  # fmt: skip
    line(march_invoice(second_client, "30.00", number="LATE-2", period_start=date(2026, 3, 15)),
         "usage", "30.00")  # fmt: skip
    BillingProfile.objects.filter(customer=first).update(commission_rate="50")
    result = prepare_commission_statements(month=MONTH, actor=actor)

    assert (result.created, result.refreshed, result.kept) == (0, 1, 1)
    pending = statement_of(first)
    assert pending.total == Decimal("20.00") and pending.rate == Decimal("50.00")
    assert pending.history.first().history_change_reason == "Commission statement refreshed"
    assert pending.history.first().history_user == actor
    assert lines_of(pending) == {"First Client": (Decimal("40.00"), Decimal("20.00"))}
    kept = statement_of(second)
    assert kept.pk == approved.pk and kept.total == Decimal("1.00")
    assert lines_of(kept) == {"Second Client": (Decimal("10.00"), Decimal("1.00"))}
    assert CommissionStatement.objects.count() == 2


def test_a_voided_statement_is_replaced_by_a_new_pending_one(in_tenant):
    reseller, _ = reseller_with_clients("10", "Client")
    prepare_commission_statements(month=MONTH, actor=None)
    voided = commission_statement_void(statement=statement_of(reseller), actor=None, reason="Wrong")
    prepare_commission_statements(month=MONTH, actor=None)
    fresh = statement_of(reseller)
    assert fresh.pk != voided.pk and fresh.status == "pending"
    voided.refresh_from_db()
    assert voided.status == "void" and voided.void_reason == "Wrong"


@pytest.mark.parametrize("months_ahead", [0, 1])
def test_a_month_that_is_not_over_is_refused_and_nothing_is_written(in_tenant, months_ahead):
    reseller_with_clients("10", "Client")
    month = add_months(timezone.localdate().replace(day=1), months_ahead)
    with pytest.raises(ValidationError) as error:
        prepare_commission_statements(month=month, actor=None)
    assert f"{month:%B %Y} is not over yet" in str(error.value)
    assert not CommissionStatement.objects.exists()


def test_last_month_can_be_prepared(in_tenant):
    reseller_with_clients("10", "Client")
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    assert prepare_commission_statements(month=last_month, actor=None).created == 1


# --- Payout status -----------------------------------------------------------------------------


@pytest.fixture
def pending(in_tenant):
    set_basis("usage")
    reseller, (client,) = reseller_with_clients("10", "Client")
    line(march_invoice(client, "10.00"), "usage", "10.00")
    prepare_commission_statements(month=MONTH, actor=None)
    return statement_of(reseller)


def test_pending_to_approved_to_paid_with_history(pending, make_user):
    actor = make_user("admin")
    commission_statement_approve(statement=pending, actor=actor, reason="Checked")
    paid = commission_statement_mark_paid(
        statement=pending, actor=actor, paid_on=date(2026, 4, 10), reference="  TR-1 "
    )
    assert paid.status == "paid" and paid.paid_on == date(2026, 4, 10)
    assert paid.payment_reference == "TR-1"
    reasons = [h.history_change_reason for h in paid.history.order_by("history_id")]
    assert reasons == ["Commission statement prepared", "Checked", "Paid out"]
    assert {h.history_user for h in paid.history.all()[:2]} == {actor}


def test_marking_paid_without_a_date_or_in_the_future_is_refused(pending):
    commission_statement_approve(statement=pending, actor=None)
    with pytest.raises(ValidationError) as error:
        commission_statement_mark_paid(statement=pending, actor=None, paid_on=None)
    assert "Enter the date the commission was paid" in str(error.value)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        commission_statement_mark_paid(statement=pending, actor=None, paid_on=tomorrow)
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.paid_on is None
    assert pending.history.count() == 2


def test_paying_a_void_or_pending_statement_and_voiding_a_paid_one_are_refused(pending):
    with pytest.raises(ValidationError, match="Approve this statement first"):
        commission_statement_mark_paid(statement=pending, actor=None, paid_on=date(2026, 4, 2))
    with pytest.raises(ValidationError, match="Say why"):
        commission_statement_void(statement=pending, actor=None, reason="  ")
    commission_statement_void(statement=pending, actor=None, reason="Duplicate")
    with pytest.raises(ValidationError, match="This statement is void: it cannot be paid"):
        commission_statement_mark_paid(statement=pending, actor=None, paid_on=date(2026, 4, 2))
    with pytest.raises(ValidationError, match="void: it cannot be approved"):
        commission_statement_approve(statement=pending, actor=None)
    pending.refresh_from_db()
    assert pending.status == "void" and pending.paid_on is None


def test_a_paid_statement_cannot_be_voided_or_approved_again(pending):
    commission_statement_approve(statement=pending, actor=None)
    commission_statement_mark_paid(statement=pending, actor=None, paid_on=date(2026, 4, 2))
    with pytest.raises(ValidationError, match="was paid on 2 April 2026"):
        commission_statement_void(statement=pending, actor=None, reason="Oops")
    pending.refresh_from_db()
    assert pending.status == "paid"


def test_the_statement_refuses_a_rate_outside_0_to_100(pending):
    pending.rate = Decimal("100.01")
    with pytest.raises(ValidationError) as error:
        pending.full_clean()
    assert "rate" in error.value.message_dict


# --- The monthly job -----------------------------------------------------------------------------


def test_the_monthly_job_prepares_last_month_in_every_tenant_once(in_tenant):
    from django.db import connection
    from procrastinate.contrib.django import app

    from billing.tasks import monthly_commission_statements

    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["billing.tasks.monthly_commission_statements"] == "30 5 1 * *"
    reseller, _ = reseller_with_clients("10", "Client")
    assert monthly_commission_statements(timestamp=0) >= 1
    connection.set_tenant(in_tenant)
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    made = CommissionStatement.objects.get(reseller=reseller)
    assert made.month == last_month and made.status == "pending"
    monthly_commission_statements(timestamp=0)  # a repeat makes nothing new
    connection.set_tenant(in_tenant)
    assert CommissionStatement.objects.filter(reseller=reseller).count() == 1


def test_the_reseller_is_emailed_when_its_statement_is_approved_and_paid(
    pending, django_capture_on_commit_callbacks
):
    from django.core import mail

    from customers.services_contacts import contacts_from_customer_fields

    contacts_from_customer_fields(
        customer=pending.reseller, fields={"billing_email": "ap@partner.example"}, actor=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        commission_statement_approve(statement=pending, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        commission_statement_mark_paid(statement=pending, actor=None, paid_on=date(2026, 4, 9))
    assert [m.subject for m in mail.outbox] == [
        "Your commission for March 2026 is approved",
        "Your commission for March 2026 was paid on 9 April 2026",
    ]
    assert mail.outbox[0].to == ["ap@partner.example"] and "$1.00" in mail.outbox[0].body
    # A refusal sends nothing.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        commission_statement_void(statement=pending, actor=None, reason="Late")
    assert len(mail.outbox) == 2
