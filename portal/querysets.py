"""Reads of customer users, scoped by the policy layer."""

from __future__ import annotations

from django.db import models
from django.db.models import Max, Q


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user) -> MembershipQuerySet:
        """Customer users of the companies ``user`` may see (console staff: every live
        company's; a customer user: their company's and its sub-accounts')."""
        from customers.models import Customer

        return self.filter(customer__in=Customer.objects.visible_to(user))

    def for_list(self) -> MembershipQuerySet:
        """What a list of users prints: the user, the permission set, the last sign-in."""
        return self.select_related("user", "permission_set").annotate(
            last_sign_in=Max(
                "user__sign_in_events__created_at",
                filter=Q(user__sign_in_events__succeeded=True),
            )
        )
