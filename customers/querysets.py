from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from core.querysets import ScopedQuerySet

SEARCH_MAX_LENGTH = 100
MIN_PHONE_DIGITS = 3
# Up to this many customers matched through their contacts go into the query as ids.
CONTACT_IDS_INLINE = 5000


@dataclass(frozen=True)
class CountColumn:
    """A count column of the customer list, registered by the app whose records it counts
    (locations, assets) from its AppConfig.ready()."""

    name: str  # the attribute set on each customer, and the table's column
    label: str
    # counts(ids): ``(customer_id, n)`` rows for those customers, one grouped query.
    counts: Callable[[list[int]], QuerySet]


COUNT_COLUMNS: list[CountColumn] = []


def register_count_column(column: CountColumn) -> None:
    if all(existing.name != column.name for existing in COUNT_COLUMNS):
        COUNT_COLUMNS.append(column)


class CustomerQuerySet(ScopedQuerySet):
    scope_paths = ("",)  # a customer is reached as itself
    portal_actions = {"view": "", "change": "manage_settings"}

    def live(self) -> CustomerQuerySet:
        """Neither archived nor deleted: what lists and dropdowns show by default."""
        return self.filter(deleted_at__isnull=True, is_archived=False)

    def search(self, term: str, *, with_contacts: bool = True) -> CustomerQuerySet:
        """Partial, case-insensitive match over the search haystack, phone digits whatever the
        formatting, and trigram word similarity on the name for small typos; and (unless
        ``with_contacts`` is off: the global search lists contacts as their own kind) the
        customers whose current contacts match by name, title, email or phone (a trigram-
        indexed scan of contacts first, then one bitmap OR over this table's indexes)."""
        from .models_contacts import Contact, contact_search_condition

        term = " ".join((term or "").split())[:SEARCH_MAX_LENGTH]
        if not term:
            return self
        condition = Q(search_text__contains=term.lower()) | Q(name__trigram_word_similar=term)
        digits = re.sub(r"\D", "", term)
        if len(digits) >= MIN_PHONE_DIGITS and len(digits) * 2 >= len(term.replace(" ", "")):
            condition |= Q(phone_digits__contains=digits)
        if not with_contacts:
            return self.filter(condition)
        # The customers whose current contacts match. A few (a name, an address): their ids,
        # so the planner ORs index scans of this table. Many (a broad term): a correlated
        # EXISTS, so a page walks the list's order and stops early. (An IN over a UNION of
        # both sides planned a nested loop: 150–390 ms per page at 100,000 customers.)
        contacts = Contact.objects.filter(
            contact_search_condition(term, prefix=""), is_archived=False
        ).order_by()
        by_contact = list(
            contacts.values_list("customer_id", flat=True).distinct()[: CONTACT_IDS_INLINE + 1]
        )
        if len(by_contact) > CONTACT_IDS_INLINE:
            condition |= Exists(contacts.filter(customer_id=OuterRef("pk")))
        elif by_contact:
            condition |= Q(pk__in=by_contact)
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
            "city",
        )

    def count_columns(self, ids: list[int]) -> dict[int, dict[str, int]]:
        """The list's count columns for these customers: one grouped query per registered
        column, whatever the number of customers (used per page, and per chunk of an
        export)."""
        grouped = {column.name: column.counts(ids) for column in COUNT_COLUMNS}
        counts = {pk: dict.fromkeys(grouped, 0) for pk in ids}
        for column, rows in grouped.items():
            for customer_id, n in rows.order_by():
                counts[customer_id][column] = n
        return counts

    def for_detail(self) -> CustomerQuerySet:
        return self.select_related("parent", "deleted_by")


class LinkedAccountQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
