"""Merging two records of one company: “Merge with…” on a customer's page picks the other
one, the side-by-side shows both with a choice per differing field and what will move, and
the merge itself is customers.services_merge.merge_customers()."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for
from customers.forms_merge import MergeForm, MergePickForm
from customers.models import Customer
from customers.services_merge import counted, merge_customers, merge_plan, merged_survivor

from .list import customers_crumb


def moved_summary(moved: dict[str, int]) -> str:
    """“3 contacts, 2 locations and 1 invoice”, from the service's counts."""
    parts = [counted(count, label) for label, count in moved.items() if count]
    if not parts:
        return "nothing else to move"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


class CustomerMergeView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """``/customers/<survivor>/merge/``: without ``?other=`` the picker; with it the
    side-by-side (GET) and the merge (POST). Both customers come from the user's scope."""

    required_capability = Capability.MANAGE_RECORDS
    template_name = "customers/merge.html"
    nav_section = "customers"

    def get_breadcrumbs(self):
        return [
            customers_crumb(),
            (str(self.survivor), self.survivor.get_absolute_url()),
            ("Merge", None),
        ]

    def setup_records(self, other_id) -> None:
        scope = scope_for(self.request.user)
        self.survivor = access(Customer, scope, self.kwargs["pk"], "change")
        self.duplicate = None
        self.problem = ""
        if other_id in (None, ""):
            return
        # A deleted or merged customer is found (admins see them) to say why it cannot be.
        self.duplicate = access(Customer, scope, other_id, "change", include_deleted=True)
        if self.duplicate.pk == self.survivor.pk:
            self.problem = "A customer cannot be merged with itself: choose another one."
        elif self.duplicate.merged_into_id is not None:
            self.problem = f"{self.duplicate} was already merged into another customer."
        elif self.duplicate.deleted_at is not None:
            self.problem = f"{self.duplicate} is deleted: restore it before merging."

    def get(self, request, *args, **kwargs):
        self.setup_records(request.GET.get("other"))
        if self.duplicate is None:
            pick = MergePickForm(customer=self.survivor)
            return self.render_to_response(self.get_context_data(pick_form=pick))
        form = MergeForm(survivor=self.survivor, duplicate=self.duplicate)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.setup_records(request.POST.get("other"))
        if self.duplicate is None:
            messages.error(request, "Choose the customer to merge into this one.")
            return redirect("customers:customer_merge", pk=self.survivor.pk)
        form = MergeForm(request.POST, survivor=self.survivor, duplicate=self.duplicate)
        if form.is_valid() and not self.problem:
            try:
                result = merge_customers(
                    survivor=self.survivor.pk,
                    duplicate=self.duplicate.pk,
                    field_choices=form.field_choices(),
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    f"Merged {result.duplicate} into {result.survivor}: moved "
                    f"{moved_summary(result.moved)}.",
                )
                return redirect(result.survivor)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(survivor=self.survivor, duplicate=self.duplicate, problem=self.problem)
        if self.duplicate is not None and not self.problem:
            context["plan"] = merge_plan(survivor=self.survivor, duplicate=self.duplicate)
            context["swap_url"] = (
                reverse("customers:customer_merge", kwargs={"pk": self.duplicate.pk})
                + f"?other={self.survivor.pk}"
            )
        return context


def merged_customer_redirect(request, pk):
    """For a customer page that is not found: if ``pk`` was merged into a customer the user
    may see, send them there with a note (the duplicate's old links keep working)."""
    survivor = merged_survivor(request.user, pk)
    if survivor is None:
        return None
    messages.info(request, f"That customer was merged into {survivor}.")
    return redirect(survivor)
