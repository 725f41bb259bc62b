"""The portal's users of each company, as billing's figures and demo read them (registered
in PortalConfig.ready with billing.company_users.register_company_users)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import Count, Q

from .models import Membership, PortalRole


def _of(customers: Collection[int] | None):
    memberships = Membership.objects.all()
    if customers is None:
        return memberships
    return memberships.filter(customer_id__in=sorted(customers))


class PortalCompanyUsers:
    def counts(self, customer_id: int, *, active_since: datetime) -> dict[str, int]:
        return Membership.objects.filter(customer_id=customer_id, user__is_active=True).aggregate(
            total=Count("pk"),
            active=Count("pk", filter=Q(user__last_login__gte=active_since)),
        )

    def user_ids(self, customers: Collection[int] | None):
        return _of(customers).values("user_id")

    def active_count(self, customers: Collection[int] | None, *, active_since: datetime) -> int:
        return (
            _of(customers).filter(user__is_active=True, user__last_login__gte=active_since).count()
        )

    def per_company(self) -> dict[int, int]:
        return {
            row["customer_id"]: row["n"]
            for row in Membership.objects.values("customer_id").annotate(n=Count("pk"))
        }

    def admin_emails(self) -> dict[int, str]:
        admins = {}
        for customer_id, email in (
            Membership.objects.filter(role=PortalRole.ADMIN)
            .order_by("pk")
            .values_list("customer_id", "user__email")
        ):
            admins.setdefault(customer_id, email)
        return admins
