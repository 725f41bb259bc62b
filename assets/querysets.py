from __future__ import annotations

from django.db.models import F, Q

from core.querysets import ScopedQuerySet


class AssetQuerySet(ScopedQuerySet):
    # An asset belongs to its owner, or (owned by the tenant) to the customer whose site it
    # is at; it is reached from either: a customer sees what it owns and what it hosts.
    scope_paths = ("owner", "location__customer")

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
