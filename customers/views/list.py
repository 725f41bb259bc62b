"""The customer list (type cards, quick add) and the crumb back to it."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from core.generic import ObjectListView
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

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, include_deleted=True).for_list()

    def decorate_page(self, records: list) -> None:
        attach_counts(records)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = user_can(self.request.user, Capability.EDIT_RECORDS)
        if self.partial:  # live search: the cards and the quick-add form stay as they are
            return context
        counts = dict(
            Customer.objects.visible_to(self.request.user)
            .live()
            .order_by()
            .values_list("business_type")
            .annotate(count=Count("*"))  # count(*): an index-only scan of customer_live_by_type
        )
        counts["total"] = sum(counts.values())
        active_type = self.request.GET.get("business_type", "")
        context["type_cards"] = [
            {
                "value": "",
                "label": "All customers",
                "count": counts["total"],
                "active": not active_type,
            },
            *[
                {
                    "value": value,
                    "label": label,
                    "count": counts.get(value, 0),
                    "active": active_type == value,
                }
                for value, label in BusinessType.choices
            ],
        ]
        context["quick_add_form"] = QuickAddForm(user=self.request.user)
        return context
