from __future__ import annotations

from django.db import models


class LocationQuerySet(models.QuerySet):
    def visible_to(self, user, *, include_deleted: bool = False) -> LocationQuerySet:
        """Locations of customers the user may see; a deleted customer's locations are hidden."""
        from customers.models import Customer

        customers = Customer.objects.visible_to(user)
        return self.filter(customer__in=customers)

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
