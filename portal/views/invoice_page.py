"""One invoice as an HTML page in the company portal: the same document as its PDF
(billing/_invoice_document.html), for the company's users who may see billing."""

from __future__ import annotations

from django.views.generic import TemplateView

from billing.models import Invoice, InvoiceStatus
from core.querysets import access
from core.scope import scope_for
from portal.models import PortalPermission

from .base import PortalMixin


class InvoiceDetailView(PortalMixin, TemplateView):
    template_name = "portal/invoice_detail.html"
    required_permission = PortalPermission.VIEW_BILLING
    section = "billing"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invoice"] = access(
            Invoice.objects.filter(customer=self.company)
            .exclude(status=InvoiceStatus.DRAFT)
            .with_receipt_flag(),
            scope_for(self.request.user),
            self.kwargs["iid"],
        )
        return context
