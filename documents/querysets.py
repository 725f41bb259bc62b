from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from core.querysets import ScopedQuerySet


class DocumentQuerySet(ScopedQuerySet):
    # A document belongs to exactly one record (a check constraint): a customer, one of its
    # locations, or an asset (reached like the asset: its owner, else its location's
    # customer). Whoever may see the record may see its documents; the portal further keeps
    # only the shared ones (portal/views/documents.py).
    scope_paths = ("customer", "location__customer", "asset__owner", "asset__location__customer")

    def live(self) -> DocumentQuerySet:
        return self.filter(is_archived=False)

    def shared(self) -> DocumentQuerySet:
        return self.filter(shared_with_portal=True, is_archived=False)

    def of_record(self, record) -> DocumentQuerySet:
        """The documents of a customer, location or asset."""
        field = {"customer": "customer", "location": "location", "asset": "asset"}[
            record._meta.model_name
        ]
        return self.filter(**{field: record})

    def for_list(self) -> DocumentQuerySet:
        """What a list of documents prints, in one query: the current version, its uploader
        and how many versions there are."""
        from .models import DocumentVersion

        counts = (
            DocumentVersion.objects.filter(document=OuterRef("pk"))
            .order_by()
            .values("document")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.select_related("current", "current__uploaded_by").annotate(
            version_count=Coalesce(Subquery(counts), Value(0))
        )
