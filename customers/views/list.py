"""The customer list (type cards, quick add) and the crumb back to it."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from core.formats import count_text
from core.generic import CappedCountPaginator, ObjectListView
from core.policies import Capability, user_can
from customers.bulk_actions import CUSTOMER_BULK_ACTIONS
from customers.filters import CustomerFilterSet
from customers.forms import QuickAddForm
from customers.models import BusinessType, Customer
from customers.tables import CustomerTable

CUSTOMERS_CRUMB = ("Customers", "customers:customer_list")


def customers_crumb() -> tuple[str, str]:
    return (CUSTOMERS_CRUMB[0], reverse(CUSTOMERS_CRUMB[1]))


def attach_counts(records: list) -> None:
    """Give each customer on a page its list counts (three grouped queries in all)."""
    counts = Customer.objects.count_columns([record.pk for record in records])
    for record in records:
        for column, value in counts[record.pk].items():
            setattr(record, column, value)


class CustomerListView(ObjectListView):
    model = Customer
    filterset_class = CustomerFilterSet
    table_class = CustomerTable
    template_name = "customers/customer_list.html"
    import_kind = "customers"
    export_name = "customers"
    add_url_name = "customers:customer_create"
    nav_section = "customers"
    breadcrumbs = [("Customers", None)]
    bulk_actions = CUSTOMER_BULK_ACTIONS
    partial_template_name = "customers/partials/customer_results.html"

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, include_deleted=True).for_list()

    def decorate_page(self, records: list) -> None:
        attach_counts(records)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = user_can(self.request.user, Capability.EDIT_RECORDS)
        context["type_cards"] = self.type_cards()
        if self.partial:  # live search: the quick-add form stays as it is
            return context
        context["quick_add_form"] = QuickAddForm(user=self.request.user)
        return context

    def type_cards(self) -> list[dict]:
        """A card per business type, counting the customers the current search and other
        filters match (the type filter aside: each card is that type's share of them), and
        linking to the list with those filters and its type. One grouped query; with a search
        or filters that match more than the list's count cap, one capped count instead and
        the cards go uncounted (grouping tens of thousands of matches would cost more than
        the page: custom-field filters read every matching row's JSON)."""
        query = self.request.GET.copy()
        active_type = query.get("business_type", "")
        for key in ("business_type", "page", "cursor", "export"):
            query.pop(key, None)
        others = self.filterset_class(
            query or None, queryset=self.get_queryset(), request=self.request
        )
        cap = CappedCountPaginator.cap
        counts = None
        filtered = any(
            value.strip() for key, value in query.items() if key not in ("per_page", "sort", "view")
        )
        if not (filtered and others.qs.order_by()[: cap + 1].count() > cap):
            counts = dict(
                others.qs.order_by().values_list("business_type").annotate(count=Count("*"))
            )

        def url(value: str) -> str:
            wanted = query.copy()
            if value:
                wanted["business_type"] = value
            return f"{self.request.path}?{wanted.urlencode()}" if wanted else self.request.path

        return [
            {
                "url": url(""),
                "label": "All customers",
                "count": None if counts is None else sum(counts.values()),
                "more_than": f"{count_text(cap)}+" if counts is None else "",
                "active": not active_type,
            },
            *[
                {
                    "url": url(value),
                    "label": label,
                    "count": None if counts is None else counts.get(value, 0),
                    "active": active_type == value,
                }
                for value, label in BusinessType.choices
            ],
        ]
