from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class AssetQuerySet(models.QuerySet):
    def visible_to(self, user, *, include_deleted: bool = False) -> AssetQuerySet:
        """Console staff see every asset of the tenant; a customer user sees the assets their
        companies own or host at their sites."""
        from accounts.policies import Capability, portal_company_ids, user_can

        if user_can(user, Capability.VIEW_CONSOLE):
            return self.all()
        company_ids = portal_company_ids(user)
        if company_ids:
            return self.filter(
                Q(owner_id__in=company_ids) | Q(location__customer_id__in=company_ids)
            )
        return self.none()

    def live(self) -> AssetQuerySet:
        return self.filter(is_archived=False)

    def search(self, term: str) -> AssetQuerySet:
        term = " ".join((term or "").split())[:100]
        if not term:
            return self
        return self.filter(search_text__contains=term.lower())

    def hosted_elsewhere(self) -> AssetQuerySet:
        """At a location whose customer is not the owner (or owned by the tenant)."""
        return self.filter(location__isnull=False).filter(
            Q(owner__isnull=True) | ~Q(owner_id=F("location__customer_id"))
        )

    def for_list(self) -> AssetQuerySet:
        return self.select_related("owner", "location", "location__customer").only(
            "id",
            "name",
            "serial_number",
            "model_name",
            "category",
            "status",
            "is_archived",
            "owner__id",
            "owner__name",
            "location__id",
            "location__name",
            "location__customer__id",
            "location__customer__name",
        )
