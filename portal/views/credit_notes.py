"""A company's credit notes as PDFs in its portal (read-only, for users who see billing)."""

from __future__ import annotations

from django.views import View

from billing.models_credit import CreditNote
from billing.views.credit_notes import credit_note_pdf_response
from core.querysets import access
from core.scope import scope_for
from portal.models import PortalPermission

from .base import PortalMixin


class CreditNotePdfView(PortalMixin, View):
    required_permission = PortalPermission.VIEW_BILLING

    def get(self, request, cid, nid):
        note = access(
            CreditNote.objects.filter(customer=self.company).select_related("invoice"),
            scope_for(request.user),
            nid,
        )
        return credit_note_pdf_response(note)
