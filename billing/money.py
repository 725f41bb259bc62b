"""Money arithmetic: Decimal only, rounded half-up to cents at explicit points (each line's
amount), never floats. Pure functions, so the rules are tested on their own."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")


def to_money(value) -> Decimal:
    """Round to cents, half up (0.005 → 0.01), from a Decimal, int or numeric string."""
    if isinstance(value, float):
        raise TypeError("Money is never a float; pass a Decimal or a string.")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValueError(f"{value!r} is not an amount of money.") from error


@dataclass(frozen=True)
class Period:
    """One billing period: ``start`` to ``end`` inclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap_days(self, start: date, end: date | None) -> int:
        first = max(self.start, start)
        last = self.end if end is None else min(self.end, end)
        return max(0, (last - first).days + 1)

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


def plain(number: Decimal) -> str:
    """A quantity or price without trailing zeros or exponent: 1000.000 → "1000"."""
    return f"{Decimal(number).normalize():f}"


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period_for(month: date, anchor_day: int) -> Period:
    """The period that starts in ``month`` on the anchor day and ends the day before the next
    month's anchor day (anchor 1 → the calendar month)."""
    start = month.replace(day=anchor_day)
    return Period(start, add_months(start, 1) - timedelta(days=1))


def prorate(monthly: Decimal, days: int, period_days: int) -> Decimal:
    """A monthly amount for ``days`` of a ``period_days``-day period, rounded to cents."""
    if days >= period_days:
        return to_money(monthly)
    return to_money(Decimal(monthly) * days / period_days)


@dataclass(frozen=True)
class Tier:
    """Units above the previous tier's limit up to ``up_to`` (None: no limit) cost
    ``unit_price`` each."""

    up_to: Decimal | None
    unit_price: Decimal


@dataclass(frozen=True)
class TierCharge:
    first: Decimal
    last: Decimal | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal

    def as_dict(self) -> dict:
        return {
            "from": plain(self.first),
            "to": "" if self.last is None else plain(self.last),
            "quantity": plain(self.quantity),
            "unit_price": plain(self.unit_price),
            "amount": str(self.amount),
        }


def tiered_charges(quantity: Decimal, tiers: Sequence[Tier]) -> list[TierCharge]:
    """Graduated pricing: each tier's units at that tier's price. Units beyond the last
    limited tier (when no tier is unlimited) are charged at the last tier's price."""
    if quantity < 0:
        raise ValueError("Usage cannot be negative.")
    ordered = sorted(tiers, key=lambda t: (t.up_to is None, t.up_to or ZERO))
    charges: list[TierCharge] = []
    floor, remaining = ZERO, Decimal(quantity)
    for index, tier in enumerate(ordered):
        if remaining <= 0:
            break
        is_last = index == len(ordered) - 1
        limit = None if (tier.up_to is None or is_last) else tier.up_to
        band = remaining if limit is None else min(remaining, limit - floor)
        if band <= 0:
            continue
        charges.append(
            TierCharge(
                first=floor,
                last=None if is_last else tier.up_to,
                quantity=band,
                unit_price=tier.unit_price,
                amount=to_money(band * tier.unit_price),
            )
        )
        remaining -= band
        floor = limit if limit is not None else floor + band
    return charges


def total(amounts: Iterable[Decimal]) -> Decimal:
    return to_money(sum(amounts, ZERO))


def percent_of(amount: Decimal, rate_percent: Decimal) -> Decimal:
    return to_money(Decimal(amount) * Decimal(rate_percent) / 100)
