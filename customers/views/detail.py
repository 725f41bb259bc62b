"""The customer page: its header and tabs (overview, related records, sub-accounts,
linked accounts, history)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django_tables2 import RequestConfig

from accounts.policies import Capability, user_can
from assets.models import Asset
from assets.tables import AssetTable
from billing.models import Project
from billing.tables import ProjectTable
from core.generic import ObjectDetailView, paginate_table
from core.history import HistorySource, merged_history_page
from customers import services
from customers.forms import LinkedAccountForm
from customers.models import Customer, LinkedAccount
from customers.overview import customer_family_ids, customer_overview
from customers.tables import CustomerTable
from customers.tabs import CUSTOMER_TABS
from locations.models import Location
from locations.tables import LocationTable

from .list import attach_counts, customers_crumb


def customer_history_sources(customer: Customer) -> list[HistorySource]:
    """The customer's own history and that of its locations, assets and projects."""
    location_ids = Location.history.filter(customer_id=customer.pk).values("id")
    return [
        HistorySource("", Customer, customer.history.all()),
        HistorySource("Location", Location, Location.history.filter(customer_id=customer.pk)),
        HistorySource(
            "Asset",
            Asset,
            Asset.history.filter(Q(owner_id=customer.pk) | Q(location_id__in=location_ids)),
        ),
        HistorySource("Project", Project, Project.history.filter(customer_id=customer.pk)),
    ]


class CustomerPageMixin:
    """Header, tabs and breadcrumbs shared by every tab of the customer page. With
    ``?rollup=1`` a parent's tabs cover its sub-accounts too."""

    model = Customer
    nav_section = "customers"
    context_object_name = "customer"

    @cached_property
    def rollup(self) -> bool:
        return self.request.GET.get("rollup") == "1"

    @cached_property
    def scope_ids(self) -> list[int]:
        return customer_family_ids(self.object.pk) if self.rollup else [self.object.pk]

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, include_deleted=True).for_detail()

    def get_breadcrumbs(self):
        return [customers_crumb(), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["tabs"] = [tab for tab in CUSTOMER_TABS if user_can(user, tab.capability)]
        context["rollup"] = self.rollup
        context["has_subaccounts"] = self.object.subsidiaries.filter(
            deleted_at__isnull=True
        ).exists()
        context["can_edit"] = user_can(user, Capability.EDIT_RECORDS)
        context["can_manage"] = user_can(user, Capability.MANAGE_RECORDS)
        return context


class CustomerDetailView(CustomerPageMixin, ObjectDetailView):
    template_name = "customers/customer_detail.html"
    tab = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subaccount_count"] = self.object.subsidiaries.filter(
            deleted_at__isnull=True
        ).count()
        context["overview"] = customer_overview(self.scope_ids)
        context["family_size"] = len(self.scope_ids)
        return context


class CustomerRelatedTabView(CustomerPageMixin, ObjectDetailView):
    """A tab listing records related to the customer (or its family), with the same columns
    as the main list of those records."""

    template_name = "customers/customer_related.html"
    table_class = None
    list_url_name = ""
    filter_param = ""
    empty_text = ""

    def related(self, ids):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        table = self.table_class(
            self.related(self.scope_ids), can_edit=user_can(user, Capability.EDIT_RECORDS)
        )
        RequestConfig(self.request, paginate=False).configure(table)
        paginate_table(table, self.request)
        context.update(table=table, empty_text=self.empty_text)
        if self.list_url_name and not self.rollup:
            url = reverse(self.list_url_name)
            context["full_list_url"] = f"{url}?{self.filter_param}={self.object.pk}"
        return context


class CustomerProjectsView(CustomerRelatedTabView):
    tab = "projects"
    table_class = ProjectTable
    list_url_name = "billing:project_list"
    filter_param = "customer_id"
    empty_text = "No projects yet."

    def related(self, ids):
        projects = Project.objects.visible_to(self.request.user)
        return projects.filter(customer_id__in=ids).select_related("customer")


class CustomerLocationsView(CustomerRelatedTabView):
    tab = "locations"
    table_class = LocationTable
    list_url_name = "locations:location_list"
    filter_param = "customer_id"
    empty_text = "No locations yet."

    def related(self, ids):
        locations = Location.objects.visible_to(self.request.user)
        return locations.filter(customer_id__in=ids).live().for_list()


class CustomerAssetsOnLocationView(CustomerRelatedTabView):
    """What sits at the customer's sites, whoever owns it."""

    tab = "assets_on_location"
    table_class = AssetTable
    list_url_name = "assets:asset_list"
    filter_param = "location_customer_id"
    empty_text = "No assets at this customer's locations."

    def related(self, ids):
        assets = Asset.objects.visible_to(self.request.user)
        return assets.filter(location__customer_id__in=ids).live().for_list()


class CustomerAssetsOwnedView(CustomerRelatedTabView):
    """What the customer owns, wherever it is (at another site, or back with us for repair)."""

    tab = "assets_owned"
    table_class = AssetTable
    list_url_name = "assets:asset_list"
    filter_param = "owner_id"
    empty_text = "This customer owns no assets."

    def related(self, ids):
        assets = Asset.objects.visible_to(self.request.user)
        return assets.filter(owner_id__in=ids).live().for_list()


class CustomerSubaccountsView(CustomerPageMixin, ObjectDetailView):
    template_name = "customers/customer_subaccounts.html"
    tab = "subaccounts"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        children = Customer.objects.visible_to(self.request.user).filter(parent=self.object)
        table = CustomerTable(children.for_list(), orderable=False, can_edit=context["can_edit"])
        RequestConfig(self.request, paginate=False).configure(table)
        paginate_table(table, self.request)
        attach_counts([row.record for row in table.page.object_list])
        context["table"] = table
        return context


class CustomerLinkedAccountsView(CustomerPageMixin, ObjectDetailView):
    template_name = "customers/customer_linked.html"
    tab = "linked"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["linked_accounts"] = LinkedAccount.objects.visible_to(self.request.user).filter(
            customer=self.object
        )
        context["form"] = kwargs.get("form") or LinkedAccountForm()
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not user_can(request.user, Capability.EDIT_RECORDS):
            return self.forbidden()
        form = LinkedAccountForm(request.POST)
        if form.is_valid():
            try:
                services.linked_account_add(
                    customer=self.object, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Linked.")
                return redirect("customers:customer_linked", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def forbidden(self):
        self.raise_exception = True
        return self.handle_no_permission()


class CustomerHistoryView(CustomerPageMixin, ObjectDetailView):
    template_name = "customers/customer_history.html"
    tab = "history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, entries = merged_history_page(
            customer_history_sources(self.object), self.request.GET.get("page")
        )
        context.update(page_obj=page, entries=entries)
        return context
