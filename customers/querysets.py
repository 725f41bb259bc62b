from __future__ import annotations

import re

from django.db.models import Count, Q

from core.querysets import ScopedQuerySet

SEARCH_MAX_LENGTH = 100
MIN_PHONE_DIGITS = 3


class CustomerQuerySet(ScopedQuerySet):
    scope_paths = ("",)  # a customer is reached as itself
    portal_actions = {"view": "", "change": "manage_settings"}

    def live(self) -> CustomerQuerySet:
        """Neither archived nor deleted: what lists and dropdowns show by default."""
        return self.filter(deleted_at__isnull=True, is_archived=False)

    def search(self, term: str) -> CustomerQuerySet:
        """Partial, case-insensitive match over the search haystack, phone digits whatever the
        formatting, and trigram word similarity on the name for small typos."""
        term = " ".join((term or "").split())[:SEARCH_MAX_LENGTH]
        if not term:
            return self
        condition = Q(search_text__contains=term.lower()) | Q(name__trigram_word_similar=term)
        digits = re.sub(r"\D", "", term)
        if len(digits) >= MIN_PHONE_DIGITS and len(digits) * 2 >= len(term.replace(" ", "")):
            condition |= Q(phone_digits__contains=digits)
        return self.filter(condition)

    def for_list(self) -> CustomerQuerySet:
        return self.only(
            "id",
            "name",
            "industry",
            "business_type",
            "website",
            "status",
            "is_archived",
            "deleted_at",
            "country",
            "company_email",
            "company_phone",
            "contact_name",
            "contact_email",
            "contact_phone",
            "city",
        )

    def count_columns(self, ids: list[int]) -> dict[int, dict[str, int]]:
        """The list's count columns for these customers: three grouped queries, whatever the
        number of customers (used per page, and per chunk of an export)."""
        from assets.models import Asset
        from locations.models import Location

        live_assets = Asset.objects.filter(is_archived=False)
        grouped = {
            "locations_count": Location.objects.filter(customer_id__in=ids, is_archived=False)
            .values_list("customer_id")
            .annotate(n=Count("pk")),
            "assets_on_location_count": live_assets.filter(location__customer_id__in=ids)
            .values_list("location__customer_id")
            .annotate(n=Count("pk")),
            "assets_owned_count": live_assets.filter(owner_id__in=ids)
            .values_list("owner_id")
            .annotate(n=Count("pk")),
        }
        counts = {pk: dict.fromkeys(grouped, 0) for pk in ids}
        for column, rows in grouped.items():
            for customer_id, n in rows.order_by():
                counts[customer_id][column] = n
        return counts

    def for_detail(self) -> CustomerQuerySet:
        return self.select_related("parent", "deleted_by")


class LinkedAccountQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
