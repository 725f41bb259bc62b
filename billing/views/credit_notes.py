"""Credit notes in the console: issuing one from an invoice's page, its page and its PDF;
applying a customer's credit to an open invoice by hand."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View

from core.formats import money_text
from core.forms import add_service_errors
from core.generic import ObjectDetailView, ObjectFormView
from core.history import history_page
from core.mixins import ConsoleAccessMixin
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for

from ..forms_credit import ApplyCreditForm, CreditNoteForm
from ..models import Invoice
from ..models_credit import CreditNote
from ..pdf import credit_note_pdf
from ..services.credit_notes import CREDITABLE, credit_apply, credit_note_create
from ..services.dunning import suspension_summary
from .base import BillingNavMixin
from .invoices import invoice_crumbs


class CreditNoteCreateView(BillingNavMixin, ObjectFormView):
    """“Issue credit note” on an issued invoice: an amount, chosen lines or all still due."""

    model = CreditNote
    form_class = CreditNoteForm
    required_capability = Capability.MANAGE_BILLING

    def get_object(self):
        return access(
            Invoice.objects.filter(status__in=CREDITABLE), self.scope, self.kwargs["pk"], "change"
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user"), kwargs.pop("instance", None)
        kwargs["invoice"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.object
        context["title"] = f"Issue a credit note for {invoice}"
        context["submit_label"] = "Issue credit note"
        context["cancel_url"] = invoice.get_absolute_url()
        return context

    def get_breadcrumbs(self):
        return invoice_crumbs(self.object, "Issue credit note")

    def form_valid(self, form):
        arguments = form.service_arguments()
        if not arguments:
            return self.form_invalid(form)
        invoice = self.object
        was_suspended = invoice.customer_id is not None and (
            invoice.customer.portal_access == "suspended"
        )
        try:
            note = credit_note_create(invoice_id=invoice.pk, actor=self.request.user, **arguments)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        invoice.refresh_from_db()
        messages.success(
            self.request,
            f"Issued credit note {note.number} of {money_text(note.total, note.currency)}. "
            f"{invoice}: balance {money_text(invoice.balance, invoice.currency)}. "
            + suspension_summary(invoice.customer_id, was_suspended=was_suspended),
        )
        return redirect(note)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class CreditNoteDetailView(BillingNavMixin, ObjectDetailView):
    model = CreditNote
    template_name = "billing/credit_note_detail.html"
    context_object_name = "credit_note"

    def get_queryset(self):
        return CreditNote.objects.visible_to(self.request.user).select_related(
            "invoice", "created_by"
        )

    def get_breadcrumbs(self):
        invoice = self.object.invoice
        return invoice_crumbs(invoice, str(self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, entries = history_page(
            CreditNote, self.object.history.all(), self.request.GET.get("page")
        )
        context.update(page_obj=page, entries=entries)
        return context


class CreditNotePdfView(ConsoleAccessMixin, View):
    def get(self, request, pk):
        note = access(CreditNote.objects.select_related("invoice"), scope_for(request.user), pk)
        return credit_note_pdf_response(note)


def credit_note_pdf_response(note: CreditNote) -> HttpResponse:
    response = HttpResponse(credit_note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="credit-note-{note.number}.pdf"'
    return response


class InvoiceApplyCreditView(BillingNavMixin, ConsoleAccessMixin, View):
    """Apply the customer's available credit to this open invoice."""

    required_capability = Capability.MANAGE_BILLING

    def post(self, request, pk):
        invoice = access(Invoice, scope_for(request.user), pk, "change")
        form = ApplyCreditForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(m for e in form.errors.values() for m in e))
            return redirect(invoice)
        try:
            entry = credit_apply(
                invoice_id=invoice.pk, actor=request.user, amount=form.cleaned_data["amount"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            response = redirect(invoice)
            return response
        invoice.refresh_from_db()
        messages.success(
            request,
            f"Applied {money_text(entry.applied_amount, entry.currency)} of credit. {invoice}: "
            f"balance {money_text(invoice.balance, invoice.currency)}. "
            + suspension_summary(invoice.customer_id, was_suspended=False),
        )
        return redirect(invoice)
