"""Contracts in the console: the list (filters by state, type and renewal; saved views and
export like every list), a contract's page (terms, renewal dates, block-of-hours drawdown,
signed copy, history), create and edit, renew, terminate, and the customer page's
Contracts tab. Contracts come through the scope; writes go through contracts.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from core.forms import add_service_errors
from core.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    ObjectUpdateMixin,
)
from core.history import history_page
from core.policies import Capability, user_can
from customers.views.detail import CustomerChildrenView

from . import services
from .drawdown import drawdown_of
from .filters import ContractFilterSet
from .forms import ContractForm, SignedCopyForm, TerminateForm
from .models import STATE_BADGES, Contract
from .tables import ContractTable


class ContractListView(ObjectListView):
    model = Contract
    filterset_class = ContractFilterSet
    table_class = ContractTable
    export_name = "contracts"
    add_url_name = "contracts:contract_create"
    import_kind = "contracts"
    nav_section = "contracts"
    breadcrumbs = [("Contracts", None)]

    def get_queryset(self):
        return self.scoped().select_related("customer")


class ContractDetailView(ObjectDetailView):
    model = Contract
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"
    nav_section = "contracts"
    include_deleted = False

    def get_queryset(self):
        return self.scoped().select_related(
            "customer", "owner", "sla_policy", "signed_document__current"
        )

    def get_breadcrumbs(self):
        return [("Contracts", reverse("contracts:contract_list")), (self.object.reference, None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract, today = self.object, timezone.localdate()
        page, entries = history_page(Contract, contract.history.all(), self.request.GET.get("page"))
        state = contract.state(today)
        context.update(
            state=state,
            state_badge=STATE_BADGES[state],
            drawdown=drawdown_of(contract, today),
            page_obj=page,
            entries=entries,
            can_edit=user_can(self.request.user, Capability.EDIT_RECORDS),
            can_manage=user_can(self.request.user, Capability.MANAGE_RECORDS),
        )
        context.setdefault("terminate_form", TerminateForm())
        context.setdefault("signed_form", SignedCopyForm())
        return context


class ContractCreateView(ObjectFormView):
    model = Contract
    form_class = ContractForm
    nav_section = "contracts"
    initial_from_query = ("customer",)

    def save(self, form):
        data = dict(form.cleaned_data)
        customer = data.pop("customer")
        return services.contract_create(actor=self.request.user, customer_id=customer.pk, **data)


class ContractUpdateView(ObjectUpdateMixin, ObjectFormView):
    model = Contract
    form_class = ContractForm
    nav_section = "contracts"

    def get_breadcrumbs(self):
        return [
            ("Contracts", reverse("contracts:contract_list")),
            (self.object.reference, self.object.get_absolute_url()),
            ("Edit", None),
        ]

    def get_context_data(self, **kwargs):
        # Named as its page names it: reference, name and whose contract it is.
        context = super().get_context_data(**kwargs)
        contract = self.object
        context["title"] = f"Edit {contract.reference} · {contract.name} ({contract.customer})"
        return context

    def save(self, form):
        return services.contract_update(
            actor=self.request.user, contract_id=self.object.pk, data=dict(form.cleaned_data)
        )


class ContractRenewView(ObjectActionView):
    model = Contract
    required_capability = Capability.EDIT_RECORDS
    verb = "Renew"
    success_message = "{object} renewed."

    @property
    def explanation(self) -> str:
        contract = self.object
        if not contract.end_date:
            return "This contract has no end date: there is no term to renew."
        return (
            f"The term ending {contract.end_date:%Y-%m-%d} is followed by another of "
            f"{contract.renewal_months} months; the renewal reminder starts over."
        )

    def perform(self, obj):
        return services.contract_renew(actor=self.request.user, contract_id=obj.pk)


class ContractPostView(ContractDetailView):
    """A POST from the contract's page (terminate, signed copy): the service's errors come
    back on that form, the page otherwise as it was."""

    http_method_names = ["post"]
    scope_action = "change"
    form_class = None
    context_name = ""
    success_message = ""

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form_class(request.POST, request.FILES)
        if getattr(request, "upload_too_large", False):
            form.add_error(None, "The file is larger than the limit: nothing was saved.")
        elif form.is_valid():
            try:
                self.act(form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect(self.object.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(**{self.context_name: form}), status=400
        )


class ContractTerminateView(ContractPostView):
    required_capability = Capability.MANAGE_RECORDS
    form_class = TerminateForm
    context_name = "terminate_form"
    success_message = "Contract terminated: it will not renew."

    def act(self, data):
        services.contract_terminate(
            actor=self.request.user,
            contract_id=self.object.pk,
            on=data["on"],
            reason=data["reason"],
        )


class ContractSignedCopyView(ContractPostView):
    required_capability = Capability.EDIT_RECORDS
    form_class = SignedCopyForm
    context_name = "signed_form"
    success_message = "Signed copy saved with the company's documents."

    def act(self, data):
        services.contract_attach_signed(
            actor=self.request.user, contract_id=self.object.pk, file=data["file"]
        )


class CustomerContractsView(CustomerChildrenView):
    """The customer page's Contracts tab (registered in ContractsConfig.ready)."""

    tab = "contracts"
    child_model = Contract
    table_class = ContractTable
    list_url_name = "contracts:contract_list"
    filter_param = "customer_id"
    empty_text = "No contracts yet."

    def get_children(self, queryset):
        return queryset.filter(customer_id__in=self.scope_ids).select_related("customer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context.get("can_edit") and not self.rollup:
            context["add_url"] = f"{reverse('contracts:contract_create')}?customer={self.object.pk}"
            context["add_label"] = "Add a contract"
        return context
