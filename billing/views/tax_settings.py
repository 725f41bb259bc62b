"""Settings → Billing → Seller profile and Tax rates: who the invoices come from and the tax
they carry. Everyone with console access to the whole workspace may read them; owners and
admins change them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.views.generic import TemplateView

from core.forms import add_service_errors
from core.history import history_page
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can

from ..forms_tax import SellerProfileForm, TaxRateFormSet
from ..models_tax import SellerProfile, TaxRate
from ..services.tax_settings import seller_profile_update, tax_rates_save
from .base import BillingNavMixin


class TaxSettingsBase(BillingNavMixin, ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    requires_unlimited_scope = True  # the whole workspace's invoices

    @property
    def can_manage(self) -> bool:
        return user_can(self.request.user, Capability.MANAGE_BILLING)

    def post(self, request, *args, **kwargs):
        if not self.can_manage:
            raise PermissionDenied("Only owners and admins change billing settings.")
        return self.handle(request)


class SellerProfileView(TaxSettingsBase):
    template_name = "billing/seller_profile.html"
    breadcrumbs = [
        ("Settings", reverse_lazy("core:settings")),
        ("Billing", reverse_lazy("billing:settings")),
        ("Seller profile", None),
    ]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = SellerProfile.current()
        form = form or SellerProfileForm(instance=profile)
        if not self.can_manage:
            for field in form.fields.values():
                field.disabled = True
        page, entries = history_page(
            SellerProfile, profile.history.all(), self.request.GET.get("page")
        )
        context.update(form=form, read_only=not self.can_manage, page_obj=page, entries=entries)
        return context

    def handle(self, request):
        form = SellerProfileForm(request.POST, request.FILES, instance=SellerProfile.current())
        if form.is_valid():
            try:
                seller_profile_update(
                    data=form.cleaned_data, fields=list(form.fields), actor=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Seller profile saved; new invoices carry it.")
                return redirect("billing:seller_profile")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TaxRateListView(TaxSettingsBase):
    template_name = "billing/tax_rates.html"
    breadcrumbs = [
        ("Settings", reverse_lazy("core:settings")),
        ("Billing", reverse_lazy("billing:settings")),
        ("Tax rates", None),
    ]

    def get_context_data(self, formset=None, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = formset or TaxRateFormSet(queryset=TaxRate.objects.all())
        if not self.can_manage:
            for form in formset.forms:
                for field in form.fields.values():
                    field.disabled = True
        context.update(formset=formset, read_only=not self.can_manage)
        return context

    def handle(self, request):
        formset = TaxRateFormSet(request.POST, queryset=TaxRate.objects.all())
        if formset.is_valid():
            rows = [
                (form.instance, form.cleaned_data)
                for form in formset.forms
                if form.has_changed() and form.cleaned_data
            ]
            try:
                count = tax_rates_save(rows=rows, actor=request.user)
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                messages.success(request, f"Tax rates saved ({count} changed).")
                return redirect(reverse("billing:tax_rates"))
        return self.render_to_response(self.get_context_data(formset=formset), status=400)
