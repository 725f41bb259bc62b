"""Service-level policies: targets per priority for the first response and the resolution,
in business hours or around the clock; one is the tenant's default, a customer may have its
own (``CustomerSla``)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.memo import memoized
from core.policies import Capability
from core.querysets import ScopedQuerySet
from tenants.models import TIMEZONE_CHOICES

from .sla import Calendar

PRIORITIES = ("low", "normal", "high", "urgent")
WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class SlaPolicyQuerySet(ScopedQuerySet):
    """Tenant-wide settings: staff see them, admins change them."""

    scope_paths = ()
    staff_actions = {
        "view": Capability.VIEW_CONSOLE,
        "change": Capability.MANAGE_RECORDS,
        "delete": Capability.MANAGE_RECORDS,
    }


def _minutes(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True)


class SlaPolicy(models.Model):
    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(
        "default policy", default=False, help_text="For every company without a policy of its own."
    )
    # Targets in business minutes; empty: no target for that priority.
    first_response_low = _minutes("first response, low")
    first_response_normal = _minutes("first response, normal")
    first_response_high = _minutes("first response, high")
    first_response_urgent = _minutes("first response, urgent")
    resolution_low = _minutes("resolution, low")
    resolution_normal = _minutes("resolution, normal")
    resolution_high = _minutes("resolution, high")
    resolution_urgent = _minutes("resolution, urgent")
    around_the_clock = models.BooleanField(
        default=False, help_text="Count every hour of every day (no business hours)."
    )
    business_start = models.TimeField(default=datetime.time(9, 0))
    business_end = models.TimeField(default=datetime.time(17, 0))
    business_days = models.JSONField(default=list, blank=True)  # weekday numbers, 0 = Monday
    holidays = models.JSONField(default=list, blank=True)  # "YYYY-MM-DD"
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = SlaPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_sla_policy"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.around_the_clock:
            if self.business_start >= self.business_end:
                raise ValidationError({"business_end": "Business hours must end after they start."})
            if not self.business_days:
                raise ValidationError({"business_days": "Choose at least one business day."})

    def target(self, clock: str, priority: str) -> int | None:
        return getattr(self, f"{clock}_{priority}", None)

    def calendar(self) -> Calendar:
        zone = ZoneInfo(self.timezone or "UTC")
        if self.around_the_clock:
            return Calendar(tz=zone)
        return Calendar(
            tz=zone,
            start=self.business_start,
            end=self.business_end,
            days=frozenset(int(d) for d in self.business_days or ()),
            holidays=frozenset(datetime.date.fromisoformat(d) for d in self.holidays or ()),
        )

    def targets_table(self) -> list[tuple[str, int | None, int | None]]:
        return [
            (p.title(), self.target("first_response", p), self.target("resolution", p))
            for p in PRIORITIES
        ]


class CustomerSlaQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    portal_actions = {}


class CustomerSla(models.Model):
    """A company's own policy, instead of the default (its sub-accounts inherit it)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="sla"
    )
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="customers")

    history = HistoricalRecords()
    objects = CustomerSlaQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.customer}: {self.policy}"


# Where a company's policy may come from before its own (contracts: the policy of an active
# contract), registered from an AppConfig.ready(), so tickets imports none of them.
_policy_sources: list = []


def register_policy_source(source) -> None:
    """``source(customer_ids: list[int]) -> {customer_id: SlaPolicy}``."""
    if source not in _policy_sources:
        _policy_sources.append(source)


def policy_for(customer) -> SlaPolicy | None:
    """The policy of the company's active contract (contracts), else the company's own SLA
    policy, else its nearest parent's (contract, then own), else the default (read once per
    ``core.memo`` scope: the mailbox poller opens many tickets for few companies)."""
    return memoized(("sla-policy", customer.pk), lambda: _policy_for(customer))


def _policy_for(customer) -> SlaPolicy | None:
    chain = [customer.pk]
    parent_id = customer.parent_id
    while parent_id is not None and len(chain) < 10:
        chain.append(parent_id)
        parent_id = _customers().filter(pk=parent_id).values_list("parent_id", flat=True).first()
    own = {
        c.customer_id: c.policy
        for c in CustomerSla.objects.filter(customer_id__in=chain).select_related("policy")
    }
    by_contract = [source(chain) for source in _policy_sources]
    for pk in chain:
        for found in by_contract:
            if pk in found:
                return found[pk]
        if pk in own:
            return own[pk]
    return SlaPolicy.objects.filter(is_default=True).first()


def _customers():
    from customers.models import Customer

    return Customer._base_manager
