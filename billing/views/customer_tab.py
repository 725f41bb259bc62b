"""The customer page's Billing tab."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

from core.forms import add_service_errors
from core.generic import ObjectDetailView
from core.policies import Capability, user_can
from customers.views.detail import CustomerPageMixin

from .. import figures
from ..forms import BillingProfileForm
from ..models import BillingProfile, CommissionStatement, Invoice, Payment
from ..selectors import customer_subscription
from ..services.settings import billing_profile_save
from ..tables import InvoiceTable, PaymentTable

# The short lists on one customer's page: the customer is the page's own, and the full lists
# (linked beside them) have the actions.
INVOICE_COLUMNS_LEFT_OUT = ("customer", "issue_date", "actions")
PAYMENT_COLUMNS_LEFT_OUT = ("customer", "actions")


class CustomerBillingView(CustomerPageMixin, ObjectDetailView):
    """The customer page's Billing tab: subscription, usage this period, invoices, payments,
    figures and engagement; admins edit how the customer is billed."""

    template_name = "billing/customer_billing.html"
    tab = "billing"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        subscription = customer_subscription(customer)
        profile = BillingProfile.objects.filter(customer=customer).first()
        can_manage = user_can(self.request.user, Capability.MANAGE_BILLING)
        invoices = Invoice.objects.filter(customer=customer)[:12]
        payments = Payment.objects.filter(invoice__customer=customer).select_related("invoice")[:10]
        context.update(
            subscription=subscription,
            usage=figures.current_usage(subscription) if subscription else [],
            figures=figures.customer_figures(customer.pk),
            engagement=figures.customer_engagement(customer.pk),
            invoice_table=InvoiceTable(
                list(invoices),
                exclude=INVOICE_COLUMNS_LEFT_OUT,
                orderable=False,
                empty_text="No invoices yet.",
            ),
            payment_table=PaymentTable(
                list(payments),
                exclude=PAYMENT_COLUMNS_LEFT_OUT,
                orderable=False,
                empty_text="No payments yet.",
            ),
            profile=profile,
            # A reseller's commission statements, newest first (resellers only: one query).
            commission_statements=list(CommissionStatement.objects.filter(reseller=customer)[:12])
            if profile and profile.is_reseller
            else None,
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
