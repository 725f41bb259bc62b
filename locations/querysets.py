from __future__ import annotations

from django.db import models


class LocationQuerySet(models.QuerySet):
    def visible_to(self, user, *, include_deleted: bool = False) -> LocationQuerySet:
        """Locations of customers the user may see; a deleted customer's locations are hidden."""
        from accounts.policies import Capability, user_can
        from customers.models import Customer

        if user_can(user, Capability.VIEW_CONSOLE):
            # Everything but the (few) deleted customers' sites: an anti-join against a small
            # set counts 250,000 locations far faster than IN (every live customer).
            return self.exclude(
                customer__in=Customer.objects.filter(deleted_at__isnull=False).values("pk")
            )
        return self.filter(customer__in=Customer.objects.visible_to(user))

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
