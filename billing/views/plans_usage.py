"""Plans with their usage tiers, and usage records."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse

from core.forms import add_service_errors
from core.generic import ObjectFormView, ObjectListView
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for

from .. import money
from ..filters import PlanFilterSet, UsageFilterSet
from ..forms import PlanForm, TierFormSet, UsageForm
from ..models import Plan, UsageRecord
from ..services.subscriptions import plan_save
from ..services.usage import usage_record
from ..tables import PlanTable, UsageTable
from .base import BillingNavMixin


class PlanListView(BillingNavMixin, ObjectListView):
    model = Plan
    filterset_class = PlanFilterSet
    table_class = PlanTable
    export_name = "plans"
    add_url_name = "billing:plan_create"
    add_capability = Capability.MANAGE_BILLING
    breadcrumbs = [("Plans", None)]

    def get_queryset(self):
        counted = ~Q(subscriptions__status="cancelled")
        reach = scope_for(self.request.user).reachable_customer_ids
        if reach is not None:  # a limited scope counts its own customers' subscribers
            counted &= Q(subscriptions__customer_id__in=sorted(reach))
        return Plan.objects.annotate(subscriber_count=Count("subscriptions", filter=counted))

    def get_table(self, queryset):
        return self.table_class(
            queryset, can_edit=user_can(self.request.user, Capability.MANAGE_BILLING)
        )


class PlanFormView(BillingNavMixin, ObjectFormView):
    """A plan with its usage tiers on one page."""

    model = Plan
    form_class = PlanForm
    required_capability = Capability.MANAGE_BILLING
    requires_unlimited_scope = True  # every subscriber's price
    template_name = "billing/plan_form.html"

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return access(Plan, self.scope, self.kwargs["pk"], "change")

    def get_tier_formset(self):
        initial = [
            {
                "metric": t.metric_id,
                "up_to": None if t.up_to is None else money.plain(t.up_to),
                "unit_price": money.plain(t.unit_price),
            }
            for t in (self.object.tiers.all() if self.object else [])
        ]
        data = self.request.POST if self.request.method == "POST" else None
        return TierFormSet(data, initial=initial, prefix="tiers")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tiers"] = kwargs.get("tiers") or self.get_tier_formset()
        return context

    def post(self, request, *args, **kwargs):
        form, tiers = self.get_form(), self.get_tier_formset()
        if form.is_valid() and tiers.is_valid():
            try:
                plan = plan_save(
                    plan=form.save(commit=False), tiers=tiers.tiers(), actor=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Saved the {plan} plan.")
                return redirect("billing:plan_list")
        return self.render_to_response(self.get_context_data(form=form, tiers=tiers), status=400)


class UsageListView(BillingNavMixin, ObjectListView):
    model = UsageRecord
    filterset_class = UsageFilterSet
    table_class = UsageTable
    export_name = "usage"
    import_kind = "usage"
    add_url_name = "billing:usagerecord_create"
    breadcrumbs = [("Usage", None)]

    def get_queryset(self):
        return self.scoped().select_related("customer", "metric", "recorded_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Usage"
        return context


class UsageCreateView(BillingNavMixin, ObjectFormView):
    model = UsageRecord
    form_class = UsageForm
    initial_from_query = ("customer",)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Record usage"
        return context

    def save(self, form):
        record = usage_record(actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, f"Recorded {record} for {record.customer.name}.")
        return record

    def form_valid(self, form):
        try:
            record = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(reverse("billing:usagerecord_list") + f"?customer_id={record.customer_id}")
