"""How a billing period turns into priced invoice lines: plan and seat fees prorated by day
over each term in force, graduated usage tiers, project fees and the invoice's totals.

Pure arithmetic on objects already loaded: nothing here queries the database (callers load
terms, tiers, metrics and projects for a whole batch first, see services.invoicing), so the
rules are tested without one (tests/billing/test_pricing.py). The Decimal primitives
(rounding half-up to cents, proration, tiers) are in money.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from . import money
from .choices import LineKind

RECURRING_KINDS = (LineKind.SUBSCRIPTION, LineKind.SEATS)
UNIT_PRICE = Decimal("0.0001")


@dataclass
class Charges:
    """One payer's invoice in the making."""

    customer: Any
    period: money.Period
    lines: list[dict] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return money.total(line["amount"] for line in self.lines)


@dataclass(frozen=True)
class InvoiceTotals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    recurring_total: Decimal  # plan and seat charges: what the MRR trend sums


def invoice_totals(lines: Sequence[dict], tax_rate: Decimal) -> InvoiceTotals:
    """Subtotal of the lines, tax on it at ``tax_rate`` percent (rounded to cents) and the
    recurring part."""
    subtotal = money.total(line["amount"] for line in lines)
    tax = money.percent_of(subtotal, tax_rate)
    return InvoiceTotals(
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
        recurring_total=money.total(
            line["amount"] for line in lines if line["kind"] in RECURRING_KINDS
        ),
    )


def usage_charges(
    quantity: Decimal, tiers: Sequence[money.Tier]
) -> tuple[list[money.TierCharge], Decimal]:
    """A quantity of one metric priced through a plan's graduated tiers (no tiers: free):
    each tier's charge and their total."""
    charges = money.tiered_charges(quantity, tiers) if tiers else []
    return charges, money.total(c.amount for c in charges)


def term_segments(terms: Iterable, subscription, period: money.Period):
    """(plan, seats, first day, last day) for each stretch of the period a term covered,
    trial days and days after cancellation left out."""
    last_day = period.end
    if subscription.cancelled_on:
        last_day = min(last_day, subscription.cancelled_on)
    first_paid = period.start
    if subscription.trial_end:
        first_paid = max(first_paid, subscription.trial_end + timedelta(days=1))
    ordered = sorted(terms, key=lambda t: t.effective_from)
    for index, term in enumerate(ordered):
        until = (
            ordered[index + 1].effective_from - timedelta(days=1)
            if index + 1 < len(ordered)
            else last_day
        )
        first, last = max(term.effective_from, first_paid), min(until, last_day)
        if first <= last:
            yield term.plan, term.seats, first, last


def subscription_lines(
    subscription,
    terms: Iterable,
    usage: dict[int, Decimal],
    tiers: dict[tuple[int, int], list[money.Tier]],
    metrics: dict[int, Any],
    period: money.Period,
) -> list[dict]:
    """The plan, seat and usage lines of one subscription for one period. ``usage`` is the
    period's quantity per metric id; ``tiers`` the tiers per (plan id, metric id): usage is
    priced by the plan in force at the end of the period."""
    lines = []
    for plan, seats, first, last in term_segments(terms, subscription, period):
        days = (last - first).days + 1
        span = "" if days == period.days else f" ({first:%b %d}–{last:%b %d}, {days} days)"
        if plan.monthly_fee:
            lines.append(
                {
                    "kind": LineKind.SUBSCRIPTION,
                    "description": f"{plan.name} plan{span}",
                    "quantity": Decimal(1),
                    "unit_price": plan.monthly_fee,
                    "amount": money.prorate(plan.monthly_fee, days, period.days),
                }
            )
        if plan.seat_fee and seats:
            lines.append(
                {
                    "kind": LineKind.SEATS,
                    "description": f"{seats} seat{'s' if seats != 1 else ''}{span}",
                    "quantity": Decimal(seats),
                    "unit_price": plan.seat_fee,
                    "amount": money.prorate(plan.seat_fee * seats, days, period.days),
                }
            )
    plan_at_end = subscription.plan_id
    for metric_id, quantity in sorted(usage.items(), key=lambda item: metrics[item[0]].name):
        metric = metrics[metric_id]
        charges, amount = usage_charges(quantity, tiers.get((plan_at_end, metric_id), []))
        lines.append(
            {
                "kind": LineKind.USAGE,
                "description": f"{metric.name}: {quantity.normalize():f} {metric.unit}",
                "quantity": quantity,
                "unit_price": (amount / quantity).quantize(UNIT_PRICE) if quantity else Decimal(0),
                "amount": amount,
                "breakdown": [c.as_dict() for c in charges],
            }
        )
    return lines


def project_lines(projects: Iterable, period: money.Period) -> list[dict]:
    """A line per project with a monthly fee, prorated by the days it ran in the period."""
    lines = []
    for project in projects:
        days = period.overlap_days(project.start_date, project.end_date)
        if not days or not project.monthly_fee:
            continue
        span = "" if days == period.days else f" ({days} of {period.days} days)"
        lines.append(
            {
                "kind": LineKind.PROJECT,
                "description": f"Project {project.name}{span}",
                "quantity": Decimal(1),
                "unit_price": project.monthly_fee,
                "amount": money.prorate(project.monthly_fee, days, period.days),
            }
        )
    return lines
