"""The staged dunning policy: the tenant's (reminder and final notice; the suspension limit is
on the billing settings page) and a customer's override of every stage. Owners and admins."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.views.generic import FormView

from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for
from customers.models import Customer

from ..models import BillingSettings, DunningPolicy
from ..services.dunning import dunning_policy_save, policy_for
from .base import BillingNavMixin

STAGES = ["reminder_days_before_due", "final_notice_after_days", "suspend_after_days"]


class DunningPolicyForm(forms.ModelForm):
    class Meta:
        model = DunningPolicy
        fields = STAGES


class DunningPolicyView(BillingNavMixin, ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    """The tenant's stages: a reminder before due, the final notice (the overdue notice is
    always sent; suspension is in the billing settings)."""

    required_capability = Capability.MANAGE_BILLING
    requires_unlimited_scope = True
    template_name = "core/object_form.html"
    breadcrumbs = [("Settings", reverse_lazy("billing:settings")), ("Dunning", None)]

    def customer(self) -> Customer | None:
        return None

    def get_form(self, form_class=None):
        customer = self.customer()
        instance = DunningPolicy.objects.filter(customer=customer).first()
        form = DunningPolicyForm(data=self.request.POST or None, instance=instance)
        if customer is None:
            del form.fields["suspend_after_days"]
            days = BillingSettings.current().suspend_after_days
            for name in form.fields:
                form.fields[name].widget.attrs["placeholder"] = "default"
            form.fields[
                "final_notice_after_days"
            ].help_text += f" Suspension: {days} days overdue (billing settings)."
        else:
            tenant = policy_for(None)
            for name in STAGES:
                form.fields[name].widget.attrs["placeholder"] = f"{getattr(tenant, name)} (tenant)"
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.customer()
        context.update(
            title=f"Dunning of {customer}" if customer else "Dunning stages",
            cancel_url=self.success_url(),
        )
        return context

    def success_url(self) -> str:
        customer = self.customer()
        if customer is None:
            return reverse("billing:dunning")
        return reverse("billing:customer_billing", args=[customer.pk])

    def form_valid(self, form):
        customer = self.customer()
        try:
            dunning_policy_save(
                customer_id=customer.pk if customer else None,
                data={name: form.cleaned_data[name] for name in form.fields},
                actor=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Dunning stages saved.")
        return redirect(self.success_url())


class CustomerDunningView(DunningPolicyView):
    """A customer's override of every stage; empty fields follow the tenant."""

    requires_unlimited_scope = False

    def customer(self) -> Customer:
        if not hasattr(self, "_customer"):
            self._customer = access(Customer, scope_for(self.request.user), self.kwargs["pk"])
        return self._customer

    def get_breadcrumbs(self):
        customer = self.customer()
        return [
            (str(customer), customer.get_absolute_url()),
            ("Billing", reverse("billing:customer_billing", args=[customer.pk])),
            ("Dunning", None),
        ]
