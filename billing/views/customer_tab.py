"""The customer page's Billing tab."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, When
from django.shortcuts import redirect

from accounts.policies import Capability, user_can
from core.forms import add_service_errors
from core.generic import ObjectDetailView
from customers.views.detail import CustomerPageMixin

from .. import figures
from ..forms import BillingProfileForm
from ..models import BillingProfile, Invoice, Payment, Subscription
from ..services.settings import billing_profile_save


class CustomerBillingView(CustomerPageMixin, ObjectDetailView):
    """The customer page's Billing tab: subscription, usage this period, invoices, payments,
    figures and engagement; admins edit how the customer is billed."""

    template_name = "billing/customer_billing.html"
    tab = "billing"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        subscription = (
            Subscription.objects.filter(customer=customer)
            .select_related("plan")
            .order_by(Case(When(status="cancelled", then=1), default=0), "-start_date")
            .first()
        )
        profile = BillingProfile.objects.filter(customer=customer).first()
        can_manage = user_can(self.request.user, Capability.MANAGE_BILLING)
        context.update(
            subscription=subscription,
            usage=figures.current_usage(subscription) if subscription else [],
            figures=figures.customer_figures(customer.pk),
            engagement=figures.customer_engagement(customer.pk),
            invoices=Invoice.objects.filter(customer=customer)[:12],
            payments=Payment.objects.filter(invoice__customer=customer).select_related("invoice")[
                :10
            ],
            profile=profile,
            can_manage_billing=can_manage,
            profile_form=kwargs.get("profile_form")
            or (BillingProfileForm(instance=profile) if can_manage else None),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not user_can(request.user, Capability.MANAGE_BILLING):
            raise PermissionDenied("Only owners and admins change how a customer is billed.")
        profile = BillingProfile.objects.filter(customer=self.object).first()
        form = BillingProfileForm(request.POST, instance=profile)
        if form.is_valid():
            try:
                billing_profile_save(customer=self.object, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Billing settings of this customer saved.")
                return redirect("billing:customer_billing", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(profile_form=form), status=400)
