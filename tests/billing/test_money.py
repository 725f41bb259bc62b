"""The money rules on their own: rounding, proration by day, graduated tiers."""

from datetime import date
from decimal import Decimal

import pytest

from billing import money
from billing.money import Tier


def test_rounding_is_half_up_to_cents_and_refuses_floats():
    assert money.to_money("0.005") == Decimal("0.01")
    assert money.to_money("0.0049") == Decimal("0.00")
    assert money.to_money(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    with pytest.raises(TypeError):
        money.to_money(0.1)
    with pytest.raises(ValueError):
        money.to_money("ten")


def test_periods_follow_the_anchor_day():
    assert money.period_for(date(2026, 2, 1), 1) == money.Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert money.period_for(date(2026, 1, 1), 15) == money.Period(
        date(2026, 1, 15), date(2026, 2, 14)
    )
    assert money.period_for(date(2024, 2, 1), 1).days == 29
    assert money.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_proration_by_day():
    assert money.prorate(Decimal("300"), 30, 30) == Decimal("300.00")
    assert money.prorate(Decimal("300"), 10, 30) == Decimal("100.00")
    assert money.prorate(Decimal("100"), 1, 31) == Decimal("3.23")  # 3.2258 → 3.23
    # the two halves of a split month add up to the whole within a cent
    halves = money.prorate(Decimal("99.99"), 14, 28) + money.prorate(Decimal("99.99"), 14, 28)
    assert abs(halves - Decimal("99.99")) <= Decimal("0.01")


def test_graduated_tiers():
    tiers = [
        Tier(Decimal("1000"), Decimal("0")),
        Tier(Decimal("5000"), Decimal("0.01")),
        Tier(None, Decimal("0.005")),
    ]
    charges = money.tiered_charges(Decimal("7000"), tiers)
    assert [c.quantity for c in charges] == [Decimal("1000"), Decimal("4000"), Decimal("2000")]
    assert [c.amount for c in charges] == [Decimal("0.00"), Decimal("40.00"), Decimal("10.00")]
    assert money.total(c.amount for c in charges) == Decimal("50.00")
    assert money.tiered_charges(Decimal("0"), tiers) == []
    # within the first tier only
    assert [c.quantity for c in money.tiered_charges(Decimal("10"), tiers)] == [Decimal("10")]


def test_units_beyond_the_last_limited_tier_cost_its_price():
    tiers = [Tier(Decimal("10"), Decimal("1.00")), Tier(Decimal("20"), Decimal("0.50"))]
    charges = money.tiered_charges(Decimal("25"), tiers)
    assert [(c.quantity, c.amount) for c in charges] == [
        (Decimal("10"), Decimal("10.00")),
        (Decimal("15"), Decimal("7.50")),
    ]


def test_negative_usage_is_refused():
    with pytest.raises(ValueError):
        money.tiered_charges(Decimal("-1"), [Tier(None, Decimal("1"))])


def test_percentages():
    assert money.percent_of(Decimal("199.99"), Decimal("10")) == Decimal("20.00")
    assert money.percent_of(Decimal("0"), Decimal("15")) == Decimal("0.00")
