from __future__ import annotations

from django.db.models import Q

from core.querysets import ScopedQuerySet


class EntryQuerySet(ScopedQuerySet):
    # An entry is on exactly one record (a check constraint): a customer, one of its
    # locations, or an asset (reached like the asset: its owner, else its location's
    # customer). Whoever may see the record may see its entries; the portal further keeps only
    # those shared with the company (portal/views/activity.py).
    scope_paths = ("customer", "location__customer", "asset__owner", "asset__location__customer")

    def shared(self) -> EntryQuerySet:
        return self.filter(shared_with_portal=True)

    def tasks(self) -> EntryQuerySet:
        return self.filter(kind="task")

    def open_tasks(self) -> EntryQuerySet:
        return self.filter(kind="task", completed_at__isnull=True)

    def of_record(self, record) -> EntryQuerySet:
        """The entries of one customer, location or asset, its own only."""
        field = record._meta.model_name
        return self.filter(**{field: record})

    def around_customer(self, customer) -> EntryQuerySet:
        """A customer's entries with those of its locations and of its assets (owned, or at
        one of its locations): the customer's timeline. Subqueries, not joins: no row twice."""
        from assets.models import Asset
        from locations.models import Location

        locations = Location.objects.filter(customer=customer).values("pk")
        assets = Asset.objects.filter(Q(owner=customer) | Q(location__customer=customer)).values(
            "pk"
        )
        return self.filter(Q(customer=customer) | Q(location__in=locations) | Q(asset__in=assets))

    def for_timeline(self) -> EntryQuerySet:
        """What a timeline row prints, in the same query."""
        return self.select_related(
            "author", "assignee", "completed_by", "contact", "customer", "location", "asset"
        )
