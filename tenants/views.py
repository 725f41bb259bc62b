"""The platform's landing page, and the console's workspace settings (the tenant's own row,
changed by its owner through ``tenant_settings_update``; URL name ``core:settings``)."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.generic import TemplateView, UpdateView

from accounts.forms import WorkspaceSettingsForm
from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can

from .services import tenant_settings_update


class LandingView(TemplateView):
    template_name = "tenants/landing.html"


class SettingsView(ConsoleAccessMixin, BreadcrumbsMixin, UpdateView):
    """Workspace settings: everyone on the console reads them, only the owner changes them."""

    nav_section = "settings"
    template_name = "core/settings.html"
    form_class = WorkspaceSettingsForm
    success_url = reverse_lazy("core:settings")
    breadcrumbs = [("Settings", None)]

    def get_object(self, queryset=None):
        # A copy: the form sets what was typed on its instance, and the page around it
        # (the workspace's name in the header) shows the saved tenant until the service ran.
        return copy.copy(self.request.tenant)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not user_can(self.request.user, Capability.MANAGE_TENANT):
            for field in form.fields.values():
                field.disabled = True
        return form

    def post(self, request, *args, **kwargs):
        if not user_can(request.user, Capability.MANAGE_TENANT):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            tenant_settings_update(
                tenant=self.request.tenant,
                data=form.cleaned_data,
                fields=list(form.fields),
                actor=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Workspace settings saved.")
        return redirect(self.success_url)
