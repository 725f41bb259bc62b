"""Invoices, receipts, subscription and usage."""

from __future__ import annotations

from django.views import View

from billing import figures
from billing.filters import InvoiceFilterSet
from billing.models import BillingProfile, Invoice, InvoiceStatus, Subscription
from billing.services.dunning import overdue_state
from billing.tables import InvoiceTable
from core.querysets import access
from core.scope import scope_for
from customers.services_contacts import invoice_recipient
from portal.models import Membership, PortalPermission

from .base import PortalListView, PortalMixin


class BillingView(PortalListView):
    """Invoices and receipts (the one invoice table, sorted and paginated by the shared list
    machinery), subscription and seats, usage and its cost this period, the payment method
    label and the billing contact."""

    model = Invoice
    filterset_class = InvoiceFilterSet
    table_class = InvoiceTable
    # The page shows period and due date; the customer column goes with portal_company.
    table_exclude = ("issue_date",)
    template_name = "portal/billing.html"
    export_name = "invoices"
    section = "billing"
    required_permission = PortalPermission.VIEW_BILLING

    def get_queryset(self):
        invoices = Invoice.objects.visible_to(self.request.user).filter(customer=self.company)
        return invoices.exclude(status=InvoiceStatus.DRAFT)  # drafts never reach customers

    def get_table(self, queryset):
        # The documents column is the portal's "actions": every reader gets their PDFs.
        return self.table_class(
            queryset.with_receipt_flag(), portal_company=self.company, exclude=self.table_exclude
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["empty_template"] = "portal/billing_empty.html"
        if self.request.htmx and self.request.htmx.target == "results":
            return context  # the table's partial alone: sorting, paging
        subscription = (
            Subscription.objects.filter(customer=self.company).live().select_related("plan").first()
        )
        seats_used = Membership.objects.filter(customer=self.company, user__is_active=True).count()
        context.update(
            subscription=subscription,
            seats_label=f"{seats_used} of {subscription.seats}" if subscription else seats_used,
            usage=figures.current_usage(subscription),
            period=figures.current_period(subscription) if subscription else None,
            totals=figures.invoice_totals(self.get_queryset()),
            overdue_state=overdue_state(self.company.pk),
            billing_profile=BillingProfile.objects.filter(customer=self.company).first(),
            invoice_recipient=invoice_recipient(self.company),
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
        from billing.views import pdf_response

        invoice = access(
            Invoice.objects.filter(customer=self.company).exclude(status=InvoiceStatus.DRAFT),
            scope_for(request.user),
            iid,
        )
        return pdf_response(invoice, receipt=self.receipt)
