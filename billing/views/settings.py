"""The tenant's billing settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.views.generic import UpdateView

from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can

from ..forms import BillingSettingsForm
from ..models import BillingSettings
from ..services.settings import billing_settings_update
from .base import BillingNavMixin


class BillingSettingsView(BillingNavMixin, ConsoleAccessMixin, BreadcrumbsMixin, UpdateView):
    requires_unlimited_scope = True  # the whole workspace's invoicing
    template_name = "core/object_form.html"
    form_class = BillingSettingsForm
    success_url = reverse_lazy("billing:settings")
    breadcrumbs = [("Settings", reverse_lazy("core:settings")), ("Billing", None)]

    def get_object(self, queryset=None):
        return BillingSettings.current()

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not user_can(self.request.user, Capability.MANAGE_BILLING):
            for field in form.fields.values():
                field.disabled = True
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Billing settings", cancel_url=reverse("core:settings"))
        context["read_only"] = not user_can(self.request.user, Capability.MANAGE_BILLING)
        return context

    def post(self, request, *args, **kwargs):
        if not user_can(request.user, Capability.MANAGE_BILLING):
            raise PermissionDenied("Only owners and admins change billing settings.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        billing_settings_update(
            settings=self.object,
            data=form.cleaned_data,
            fields=list(form.fields),
            actor=self.request.user,
        )
        messages.success(self.request, "Billing settings saved.")
        return redirect(self.success_url)
