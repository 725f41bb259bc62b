from __future__ import annotations

from core.querysets import ScopedQuerySet


class LocationQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    portal_actions = {"view": "", "change": "manage_locations"}

    def live(self) -> LocationQuerySet:
        return self.filter(is_archived=False)

    def search(self, term: str) -> LocationQuerySet:
        term = " ".join((term or "").split())[:100]
        if not term:
            return self
        return self.filter(search_text__contains=term.lower())

    def for_list(self) -> LocationQuerySet:
        return self.select_related("customer").only(
            "id",
            "name",
            "location_type",
            "status",
            "city",
            "country",
            "is_archived",
            "customer__id",
            "customer__name",
        )
