"""Editing a customer, and putting back fields from an earlier version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, UpdateView

from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for
from customers import services
from customers.forms import EDITABLE_FIELDS, CustomerForm, RestoreFieldsForm, restore_form_choices
from customers.models import Customer

from .list import customers_crumb


class CustomerRestoreFieldsView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    """Admins put back chosen fields from an earlier version."""

    required_capability = Capability.MANAGE_RECORDS
    template_name = "customers/customer_restore_fields.html"
    form_class = RestoreFieldsForm
    nav_section = "customers"

    def dispatch(self, request, *args, **kwargs):
        if user_can(request.user, self.required_capability):
            self.customer = access(
                Customer, scope_for(request.user), kwargs["pk"], "change", include_deleted=True
            )
            self.record = get_object_or_404(
                self.customer.history.select_related("history_user"),
                history_id=kwargs["history_id"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "choices": restore_form_choices(self.record, self.customer),
        }

    def get_breadcrumbs(self):
        return [
            customers_crumb(),
            (str(self.customer), self.customer.get_absolute_url()),
            ("History", reverse("customers:customer_history", kwargs={"pk": self.customer.pk})),
            ("Restore fields", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(customer=self.customer, record=self.record)
        context["differences"] = [
            (field, label, getattr(self.record, field), getattr(self.customer, field))
            for field, label in restore_form_choices(self.record, self.customer)
        ]
        return context

    def form_valid(self, form):
        try:
            services.customer_restore_fields(
                customer_id=self.customer.pk,
                history_id=self.record.history_id,
                fields=form.cleaned_data["fields"],
                actor=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Restored the chosen fields.")
        return redirect("customers:customer_history", pk=self.customer.pk)


class CustomerUpdateView(ConsoleAccessMixin, BreadcrumbsMixin, UpdateView):
    required_capability = Capability.EDIT_RECORDS
    model = Customer
    form_class = CustomerForm
    template_name = "customers/customer_form.html"
    context_object_name = "customer"
    nav_section = "customers"

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs(self):
        return [
            customers_crumb(),
            (str(self.object), self.object.get_absolute_url()),
            ("Edit", None),
        ]

    def form_valid(self, form):
        data = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS}
        data["chosen_tags"] = form.cleaned_data["chosen_tags"]  # fields.models: saved with it
        try:
            customer = services.customer_update(
                customer_id=self.object.pk,
                data=data,
                expected_version=form.cleaned_data["version"],
                actor=self.request.user,
            )
        except services.EditConflict as conflict:
            return self.conflict(form, conflict)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {customer}.")
        return redirect(customer)

    def conflict(self, form, conflict: services.EditConflict):
        """Refuse the save, show what the other person changed, keep what this user typed."""
        latest = (
            conflict.current.history.select_related("history_user").order_by("-history_id").first()
        )
        form.data = form.data.copy()
        form.data["version"] = conflict.current.version
        form.add_error(
            None,
            "Not saved: someone else changed this customer after you opened it. "
            "Review their changes below, then save again to overwrite them.",
        )
        context = self.get_context_data(form=form)
        context.update(conflict=conflict, conflict_by=latest.history_user if latest else None)
        return self.render_to_response(context, status=409)
