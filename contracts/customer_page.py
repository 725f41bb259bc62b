"""What contracts add to other apps' pages and jobs, registered by ContractsConfig.ready()
(none of those apps imports contracts): the customer's value (running contracts), its
History tab, the dashboard's attention panel (renewals due, contracts just expired), the
service level of a company's tickets (an active contract's policy) and the invoice run's
overage lines (drawdown)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from billing.attention import AttentionItem, counted
from core.history import HistorySource

from .models import Contract, ContractState


def contracts_value(customer_ids: list[int]) -> tuple[str, Decimal]:
    today = timezone.localdate()
    total = (
        Contract.objects.filter(customer_id__in=customer_ids)
        .running(today)
        .aggregate(total=Sum("value"))["total"]
    )
    return "running contracts", total or Decimal("0")


def contracts_history(customer) -> HistorySource:
    return HistorySource("Contract", Contract, Contract.history.filter(customer_id=customer.pk))


def contract_policies(customer_ids: list[int]) -> dict:
    """The SLA policy of each company's running contract that names one (the newest)."""
    today = timezone.localdate()
    found: dict = {}
    for contract in (
        Contract.objects.filter(customer_id__in=customer_ids, sla_policy__isnull=False)
        .running(today)
        .select_related("sla_policy")
        .order_by("-start_date", "-pk")
    ):
        found.setdefault(contract.customer_id, contract.sla_policy)
    return found


EXPIRED_LOOKBACK_DAYS = 30


def renewals_attention(scope, style: str) -> list[AttentionItem]:
    """Contracts whose renewal is due and those that ended in the last 30 days without a
    renewal: one aggregate query on the running contracts' end-date index."""
    if not scope.is_staff:
        return []
    today = timezone.localdate()
    contracts = Contract.objects.restrict(scope).filter(
        terminated_on__isnull=True, end_date__gte=today - timedelta(days=EXPIRED_LOOKBACK_DAYS)
    )
    due = contracts.renewal_due(today).values("pk")
    counts = contracts.aggregate(
        due=Count("pk", filter=Q(pk__in=due)),
        expired=Count("pk", filter=Q(end_date__lt=today)),
    )
    url = reverse("contracts:contract_list")
    items = []
    if counts["due"]:
        items.append(
            AttentionItem(
                "contracts_renewal_due",
                counts["due"],
                counted(counts["due"], "contract due for renewal", "contracts due for renewal"),
                f"{url}?state={ContractState.RENEWAL_DUE}",
                icon="file-earmark-text",
                tone="warning",
            )
        )
    if counts["expired"]:
        items.append(
            AttentionItem(
                "contracts_expired",
                counts["expired"],
                counted(
                    counts["expired"],
                    "contract ended in the last 30 days without renewing",
                    "contracts ended in the last 30 days without renewing",
                ),
                f"{url}?state={ContractState.EXPIRED}&recent=1",
                icon="file-earmark-x",
                tone="danger",
            )
        )
    return items
