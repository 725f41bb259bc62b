"""The price arithmetic of billing.pricing on unsaved objects: no database, so these run in
milliseconds and pin the rules themselves (graduated tiers, half-up rounding to cents,
proration by days) apart from the queries that load their inputs."""

from datetime import date
from decimal import Decimal

import pytest

from billing import money, pricing
from billing.choices import LineKind
from billing.models import Metric, Plan, Project, Subscription, SubscriptionTerm

APRIL = money.Period(date(2026, 4, 1), date(2026, 4, 30))  # 30 days
MAY = money.Period(date(2026, 5, 1), date(2026, 5, 31))  # 31 days
OPERATIONS = Metric(pk=1, code="operations", name="Operations", unit="calls")
D = Decimal


def plan(pk: int, name: str, monthly_fee: str, seat_fee: str = "0") -> Plan:
    return Plan(pk=pk, name=name, monthly_fee=D(monthly_fee), seat_fee=D(seat_fee))


def subscription(on: Plan, *, start: date = date(2026, 1, 1), **fields) -> Subscription:
    return Subscription(pk=1, plan=on, seats=1, start_date=start, **fields)


def term(on: Plan, seats: int, effective_from: date) -> SubscriptionTerm:
    return SubscriptionTerm(plan=on, seats=seats, effective_from=effective_from)


def amounts(lines: list[dict]) -> list[tuple[str, Decimal]]:
    return [(line["kind"], line["amount"]) for line in lines]


# --- Graduated tiers ---------------------------------------------------------------------

TIERS = [
    money.Tier(up_to=None, unit_price=D("0.005")),  # given out of order on purpose
    money.Tier(up_to=D(1000), unit_price=D("0")),
    money.Tier(up_to=D(5000), unit_price=D("0.01")),
]


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "0.00"),
        ("1000", "0.00"),  # the whole free tier, nothing beyond it
        ("1001", "0.01"),  # one unit over the boundary, at the second tier's price
        ("5000", "40.00"),  # 4,000 at 0.01, the second tier exactly full
        ("5001", "40.01"),  # the 5,001st unit: 0.005 rounds half up to a cent
        ("6000", "45.00"),  # 40.00 + 1,000 at 0.005
    ],
)
def test_usage_is_priced_tier_by_tier_across_the_boundaries(quantity, expected):
    _, total = pricing.usage_charges(D(quantity), TIERS)
    assert total == D(expected)


def test_each_tier_charges_only_its_own_band():
    charges, total = pricing.usage_charges(D(6000), TIERS)
    assert [c.as_dict() for c in charges] == [
        {"from": "0", "to": "1000", "quantity": "1000", "unit_price": "0", "amount": "0.00"},
        {"from": "1000", "to": "5000", "quantity": "4000", "unit_price": "0.01", "amount": "40.00"},
        {"from": "5000", "to": "", "quantity": "1000", "unit_price": "0.005", "amount": "5.00"},
    ]
    assert total == sum(c.amount for c in charges)


def test_units_beyond_the_last_limited_tier_pay_its_price_and_no_tiers_is_free():
    limited = [money.Tier(D(10), D("1")), money.Tier(D(20), D("2"))]
    assert pricing.usage_charges(D(25), limited)[1] == D("10") + D(15) * 2
    assert pricing.usage_charges(D(25), []) == ([], D("0.00"))


# --- Rounding: half up, to cents -------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [("1", "0.01"), ("5", "0.03"), ("9", "0.05")],  # 0.005, 0.025, 0.045: half up, not even
)
def test_a_usage_charge_rounds_half_up_to_the_cent(quantity, expected):
    charges, total = pricing.usage_charges(D(quantity), [money.Tier(None, D("0.005"))])
    assert total == D(expected) and charges[0].amount == D(expected)


def test_invoice_tax_rounds_half_up_and_the_recurring_part_leaves_usage_and_projects_out():
    lines = [
        {"kind": LineKind.SUBSCRIPTION, "amount": D("1.00")},
        {"kind": LineKind.SEATS, "amount": D("1.00")},
        {"kind": LineKind.USAGE, "amount": D("0.25")},
        {"kind": LineKind.PROJECT, "amount": D("0.25")},
    ]
    totals = pricing.invoice_totals(lines, D("5"))
    assert totals.subtotal == D("2.50")
    assert totals.tax == D("0.13")  # 0.125 half up (half-even would give 0.12)
    assert totals.total == D("2.63")
    assert totals.recurring_total == D("2.00")


def test_a_usage_lines_unit_price_is_its_amount_per_unit_to_four_places():
    growth = plan(1, "Growth", "0")
    tiers = {(1, OPERATIONS.pk): [money.Tier(D(3), D("0")), money.Tier(None, D("1"))]}
    (line,) = pricing.subscription_lines(
        subscription(growth), [], {OPERATIONS.pk: D(7)}, tiers, {OPERATIONS.pk: OPERATIONS}, APRIL
    )
    assert line["amount"] == D("4.00")
    assert line["unit_price"] == D("0.5714")  # 4 / 7
    assert line["description"] == "Operations: 7 calls"


# --- Proration by days ---------------------------------------------------------------------------


def test_a_whole_period_bills_the_monthly_fee_exactly_without_a_span():
    growth = plan(1, "Growth", "300.00", seat_fee="20.00")
    lines = pricing.subscription_lines(
        subscription(growth), [term(growth, 5, date(2026, 1, 1))], {}, {}, {}, APRIL
    )
    assert amounts(lines) == [(LineKind.SUBSCRIPTION, D("300.00")), (LineKind.SEATS, D("100.00"))]
    assert [line["description"] for line in lines] == ["Growth plan", "5 seats"]


def test_a_plan_change_bills_each_day_at_the_plan_in_force_that_day():
    basic, pro = plan(1, "Basic", "300.00", seat_fee="20.00"), plan(2, "Pro", "600.00")
    terms = [term(pro, 1, date(2026, 4, 11)), term(basic, 5, date(2026, 1, 1))]
    lines = pricing.subscription_lines(subscription(pro), terms, {}, {}, {}, APRIL)
    assert amounts(lines) == [
        (LineKind.SUBSCRIPTION, D("100.00")),  # 300 × 10/30
        (LineKind.SEATS, D("33.33")),  # 5 × 20 × 10/30 = 33.333…
        (LineKind.SUBSCRIPTION, D("400.00")),  # 600 × 20/30
    ]
    assert lines[0]["description"] == "Basic plan (Apr 01–Apr 10, 10 days)"
    assert lines[2]["description"] == "Pro plan (Apr 11–Apr 30, 20 days)"


def test_trial_days_and_days_after_cancellation_are_not_billed():
    growth = plan(1, "Growth", "310.00")
    terms = [term(growth, 1, date(2026, 4, 20))]
    trial = subscription(growth, start=date(2026, 4, 20), trial_end=date(2026, 5, 5))
    assert amounts(pricing.subscription_lines(trial, terms, {}, {}, {}, MAY)) == [
        (LineKind.SUBSCRIPTION, D("260.00"))  # May 6–31: 26 of 31 days
    ]
    cancelled = subscription(growth, start=date(2026, 4, 20), cancelled_on=date(2026, 5, 1))
    assert amounts(pricing.subscription_lines(cancelled, terms, {}, {}, {}, MAY)) == [
        (LineKind.SUBSCRIPTION, D("10.00"))  # May 1 only: 1 of 31 days
    ]
    assert pricing.subscription_lines(cancelled, terms, {}, {}, {}, APRIL)[0]["amount"] == D(
        "113.67"  # Apr 20–30: 310 × 11/30 = 113.666… rounds up
    )


def test_project_fees_are_prorated_by_the_days_the_project_ran():
    projects = [
        Project(name="Rollout", start_date=date(2026, 4, 16), monthly_fee=D("90.00")),
        Project(
            name="Audit",
            start_date=date(2026, 3, 1),
            end_date=date(2026, 4, 1),
            monthly_fee=D("100"),
        ),
        Project(name="Free", start_date=date(2026, 1, 1), monthly_fee=D("0")),
        Project(name="Later", start_date=date(2026, 5, 1), monthly_fee=D("50")),
    ]
    lines = pricing.project_lines(projects, APRIL)
    assert [(line["description"], line["amount"]) for line in lines] == [
        ("Project Rollout (15 of 30 days)", D("45.00")),
        ("Project Audit (1 of 30 days)", D("3.33")),
    ]
