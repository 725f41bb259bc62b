"""Block-of-hours contracts drawn down by the time staff log on the company's tickets
(tickets.TimeEntry): what the contract's page shows (used, left, over) and the overage line
the monthly invoice run adds (registered with billing's line sources).

The block covers one term: time logged from the term's first day to its end counts. In a
billing period, the hours billed are those that take the term's total past the block in that
period, so a month is never billed for hours an earlier month already paid for."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from billing import money
from billing.choices import LineKind
from tickets.models import TimeEntry

from .models import Contract, ContractKind

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Drawdown:
    included_minutes: int
    used_minutes: int

    @property
    def left_minutes(self) -> int:
        return max(0, self.included_minutes - self.used_minutes)

    @property
    def over_minutes(self) -> int:
        return max(0, self.used_minutes - self.included_minutes)

    @property
    def percent(self) -> int:
        if not self.included_minutes:
            return 0
        return min(100, round(100 * self.used_minutes / self.included_minutes))


def included_minutes(contract: Contract) -> int:
    return int((contract.hours_included or 0) * 60)


def drawdown_of(contract: Contract, today: date) -> Drawdown | None:
    """The block's use over the current term (one aggregate query); None for other kinds."""
    if contract.kind != ContractKind.BLOCK_OF_HOURS:
        return None
    last = min(today, contract.end_date) if contract.end_date else today
    used = TimeEntry.objects.filter(
        ticket__customer_id=contract.customer_id,
        work_date__gte=contract.term_start,
        work_date__lte=last,
    ).aggregate(total=Sum("minutes"))["total"]
    return Drawdown(included_minutes(contract), used or 0)


def overage_lines(periods: dict[int, money.Period]) -> dict[int, list[dict]]:
    """For the invoice run: each customer's block-of-hours contracts with an overage rate,
    the hours that went past the block during the customer's period, at that rate. Two
    queries for the whole batch."""
    if not periods:
        return {}
    first = min(p.start for p in periods.values())
    last = max(p.end for p in periods.values())
    contracts = list(
        Contract.objects.filter(
            customer_id__in=list(periods),
            kind=ContractKind.BLOCK_OF_HOURS,
            overage_rate__gt=0,
            start_date__lte=last,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=first))
        .order_by("start_date", "pk")
    )
    if not contracts:
        return {}
    since = min(c.term_start for c in contracts)
    days: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for customer_id, work_date, minutes in (
        TimeEntry.objects.filter(
            ticket__customer_id__in={c.customer_id for c in contracts},
            work_date__gte=since,
            work_date__lte=last,
        )
        .values("ticket__customer_id", "work_date")
        .annotate(minutes=Sum("minutes"))
        .values_list("ticket__customer_id", "work_date", "minutes")
    ):
        days[customer_id].append((work_date, minutes))
    lines: dict[int, list[dict]] = defaultdict(list)
    for contract in contracts:
        period = periods[contract.customer_id]
        term_end = contract.end_date or period.end
        if contract.terminated_on:
            term_end = min(term_end, contract.terminated_on)
        start = max(contract.term_start, period.start)
        end = min(term_end, period.end)
        if start > end:
            continue
        before = sum(m for d, m in days[contract.customer_id] if contract.term_start <= d < start)
        during = sum(m for d, m in days[contract.customer_id] if start <= d <= end)
        block = included_minutes(contract)
        over = max(0, before + during - block) - max(0, before - block)
        if not over:
            continue
        hours = (Decimal(over) / 60).quantize(CENT, rounding=ROUND_HALF_UP)
        lines[contract.customer_id].append(
            {
                "kind": LineKind.CONTRACT,
                "description": (
                    f"Hours beyond the {money.plain(contract.hours_included)} h block of "
                    f"{contract.reference} {contract.name}"
                ),
                "quantity": hours,
                "unit_price": contract.overage_rate,
                "amount": (hours * contract.overage_rate).quantize(CENT, rounding=ROUND_HALF_UP),
            }
        )
    return lines
