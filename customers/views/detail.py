"""The customer page: its header and tabs (overview, sub-accounts, linked accounts, history),
and the base of the tabs other apps add (CustomerChildrenView: their records of the
customer)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django_tables2 import RequestConfig

from core.generic import ObjectChildrenMixin, ObjectDetailView, paginate_table
from core.history import merged_history_page
from core.policies import Capability, user_can
from customers import services
from customers.forms import LinkedAccountForm
from customers.history import customer_history_sources
from customers.models import Customer, LinkedAccount
from customers.models_contacts import BILLING, PRIMARY
from customers.overview import (
    OVERVIEW_SECTIONS,
    customer_family_ids,
    customer_overview,
    overview_has_details,
)
from customers.services_contacts import role_contacts
from customers.tables import CustomerTable
from customers.tabs import CUSTOMER_TABS

from .list import attach_counts, customers_crumb


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

    def get(self, request, *args, **kwargs):
        """A duplicate merged into another customer: those who cannot see deleted customers
        are sent to the survivor (admins see the duplicate's page, pointing there)."""
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            from .merge import merged_customer_redirect

            response = merged_customer_redirect(request, kwargs["pk"])
            if response is None:
                raise
            return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subaccount_count"] = self.object.subsidiaries.filter(
            deleted_at__isnull=True
        ).count()
        overview = customer_overview(self.scope_ids)
        context["overview"] = overview
        context["overview_sections"] = OVERVIEW_SECTIONS
        context["overview_details"] = overview_has_details(overview)
        context["family_size"] = len(self.scope_ids)
        context["possible_duplicate"] = self.possible_duplicate()
        people = role_contacts(self.object)
        context["primary_contact"] = people.get(PRIMARY)
        context["billing_contact"] = people.get(BILLING)
        return context

    def possible_duplicate(self) -> Customer | None:
        """``?possible_duplicate=<id>``: the customer it was added despite looking like (the
        wizard and quick add send it), if the user sees it: offered to merge."""
        wanted = self.request.GET.get("possible_duplicate", "")
        if not wanted.isdigit() or self.object.deleted_at or int(wanted) == self.object.pk:
            return None
        return (
            Customer.objects.visible_to(self.request.user)
            .filter(pk=int(wanted), deleted_at__isnull=True)
            .only("pk", "name")
            .first()
        )


class CustomerChildrenView(ObjectChildrenMixin, CustomerPageMixin, ObjectDetailView):
    """A tab listing another app's records of the customer (or of its family, with
    ``?rollup=1``) with the columns of their own list, linked to that list filtered to the
    customer. The owning app subclasses it (``get_children`` filters by ``self.scope_ids``)
    and registers it with customers.tabs.register_tab(tab, view=..., route=...)."""

    template_name = "customers/customer_related.html"
    list_url_name = ""
    filter_param = ""
    empty_text = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(table=self.get_children_table(), empty_text=self.empty_text)
        if self.list_url_name and not self.rollup:
            url = reverse(self.list_url_name)
            context["full_list_url"] = f"{url}?{self.filter_param}={self.object.pk}"
        return context


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
