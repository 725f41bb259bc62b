"""Invoices, receipts, subscription and usage."""

from __future__ import annotations

from django.views import View
from django.views.generic import TemplateView

from core.querysets import access
from core.scope import scope_for
from portal.models import Membership, PortalPermission

from .base import PortalMixin


class BillingView(PortalMixin, TemplateView):
    """Invoices and receipts, subscription and seats, usage and its cost this period, the
    payment method label and the billing contact."""

    template_name = "portal/billing.html"
    section = "billing"
    required_permission = PortalPermission.VIEW_BILLING

    def get_context_data(self, **kwargs):
        from billing import figures
        from billing.models import BillingProfile, Invoice, Subscription

        context = super().get_context_data(**kwargs)
        subscription = (
            Subscription.objects.filter(customer=self.company).live().select_related("plan").first()
        )
        invoices = Invoice.objects.visible_to(self.request.user).filter(customer=self.company)
        seats_used = Membership.objects.filter(customer=self.company, user__is_active=True).count()
        context.update(
            subscription=subscription,
            seats_label=f"{seats_used} of {subscription.seats}" if subscription else seats_used,
            usage=figures.current_usage(subscription),
            period=figures.current_period(subscription) if subscription else None,
            invoices=invoices.exclude(status="draft")[:24],
            totals=figures.invoice_totals(invoices.exclude(status="draft")),
            billing_profile=BillingProfile.objects.filter(customer=self.company).first(),
            paid_by_parent=BillingProfile.objects.filter(
                customer_id=self.company.parent_id, consolidated_billing=True
            ).exists()
            if self.company.parent_id
            else False,
        )
        return context


class BillingDocumentView(PortalMixin, View):
    """An invoice or receipt PDF of this company (drafts are never shown to customers)."""

    required_permission = PortalPermission.VIEW_BILLING
    receipt = False

    def get(self, request, cid, iid):
        from billing.models import Invoice
        from billing.views import pdf_response

        invoice = access(
            Invoice.objects.filter(customer=self.company).exclude(status="draft"),
            scope_for(request.user),
            iid,
        )
        return pdf_response(invoice, receipt=self.receipt)
