"""Invoices: the list, one invoice with its payments and history, its PDF and receipt,
recording a payment, issuing, deleting a draft and voiding (invoice runs: runs.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from core.formats import money_text
from core.forms import add_service_errors
from core.generic import ObjectActionView, ObjectDetailView, ObjectFormView, ObjectListView
from core.history import history_page
from core.mixins import ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for

from .. import figures
from ..filters import InvoiceFilterSet
from ..forms import PaymentForm, VoidForm
from ..models import Invoice, InvoiceStatus
from ..pdf import grouped_lines, invoice_pdf
from ..services.dunning import suspension_summary
from ..services.invoicing import invoice_draft_delete, invoice_issue, invoice_void
from ..services.payments import payment_record
from ..tables import InvoiceTable
from .base import BillingNavMixin


class InvoiceListView(BillingNavMixin, ObjectListView):
    model = Invoice
    filterset_class = InvoiceFilterSet
    table_class = InvoiceTable
    export_name = "invoices"
    always_cap_count = True
    breadcrumbs = [("Invoices", None)]
    template_name = "billing/invoice_list.html"

    def get_queryset(self):
        return Invoice.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage_billing"] = user_can(self.request.user, Capability.MANAGE_BILLING)
        if not self.partial:  # the figures sit above the results, outside the live search
            context["figures"] = figures.tenant_figures(scope_for(self.request.user))
        return context


class InvoiceDetailView(BillingNavMixin, ObjectDetailView):
    model = Invoice
    template_name = "billing/invoice_detail.html"
    context_object_name = "invoice"

    def get_queryset(self):
        return Invoice.objects.visible_to(self.request.user).select_related("customer", "replaces")

    def get_breadcrumbs(self):
        return [("Invoices", reverse("billing:invoice_list")), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.object
        page, entries = history_page(Invoice, invoice.history.all(), self.request.GET.get("page"))
        can_manage = user_can(self.request.user, Capability.MANAGE_BILLING)
        context.update(
            groups=grouped_lines(invoice),
            payments=invoice.payments.select_related("recorded_by"),
            replacements=invoice.replaced_by.all(),
            page_obj=page,
            entries=entries,
            can_manage_billing=can_manage,
            payment_form=kwargs.get("payment_form")
            or (PaymentForm(invoice=invoice) if can_manage and invoice.is_open else None),
        )
        return context


class InvoicePdfView(ConsoleAccessMixin, View):
    """The invoice (or, with ``receipt=True``, the receipt) as a PDF download."""

    receipt = False

    def get(self, request, pk):
        invoice = access(Invoice, scope_for(request.user), pk)
        return pdf_response(invoice, receipt=self.receipt)


def pdf_response(invoice: Invoice, *, receipt: bool) -> HttpResponse:
    if invoice.status == InvoiceStatus.DRAFT and receipt:
        raise Http404("A draft has no receipt.")
    if receipt and not invoice.payments.exists():  # credit notes alone leave no receipt
        raise Http404("No payment has been recorded on this invoice.")
    name = f"{'receipt' if receipt else 'invoice'}-{invoice.number or f'draft-{invoice.pk}'}.pdf"
    response = HttpResponse(invoice_pdf(invoice, receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


class InvoicePaymentView(BillingNavMixin, ConsoleAccessMixin, View):
    required_capability = Capability.MANAGE_BILLING

    def post(self, request, pk):
        invoice = access(Invoice, scope_for(request.user), pk, "change")
        form = PaymentForm(request.POST, invoice=invoice)
        if form.is_valid():
            was_suspended = invoice.customer_id is not None and (
                invoice.customer.portal_access == "suspended"
            )
            try:
                payment_record(invoice_id=invoice.pk, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                invoice.refresh_from_db()
                messages.success(
                    request,
                    f"Payment recorded. {invoice}: {invoice.get_status_display().lower()}, "
                    f"balance {money_text(invoice.balance, invoice.currency)}. "
                    + suspension_summary(invoice.customer_id, was_suspended=was_suspended),
                )
                return redirect(invoice)
        view = InvoiceDetailView(request=request, kwargs={"pk": pk}, args=())
        view.object = invoice
        return view.render_to_response(view.get_context_data(payment_form=form), status=400)


class InvoiceIssueView(BillingNavMixin, ObjectActionView):
    model = Invoice
    required_capability = Capability.MANAGE_BILLING
    verb = "Issue"
    explanation = (
        "The invoice gets the next number, becomes final (corrections by voiding it) and is "
        "emailed to the billing contact with its PDF."
    )
    success_message = "Issued {object}."

    def get_queryset(self):
        return Invoice.objects.visible_to(self.request.user).filter(status=InvoiceStatus.DRAFT)

    def get_breadcrumbs(self):
        return invoice_crumbs(self.object, self.verb)

    def perform(self, obj):
        return invoice_issue(invoice_id=obj.pk, actor=self.request.user)


class InvoiceDraftDeleteView(InvoiceIssueView):
    verb = "Delete draft"
    button_class = "btn-danger"
    explanation = "The draft is removed; the next invoice run for its period drafts it again."
    success_message = "Deleted the draft."

    def perform(self, obj):
        invoice_draft_delete(invoice_id=obj.pk, actor=self.request.user)

    def get_success_url(self, obj):
        return reverse("billing:invoice_list")


class InvoiceVoidView(BillingNavMixin, ObjectFormView):
    model = Invoice
    form_class = VoidForm
    required_capability = Capability.MANAGE_BILLING

    def get_object(self):
        return access(
            Invoice.objects.filter(status__in=[InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE]),
            self.scope,
            self.kwargs["pk"],
            "change",
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user"), kwargs.pop("instance", None)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Void {self.object}"
        context["submit_label"] = "Void invoice"
        return context

    def get_breadcrumbs(self):
        return invoice_crumbs(self.object, "Void")

    def save(self, form):
        draft = invoice_void(
            invoice_id=self.object.pk, actor=self.request.user, **form.cleaned_data
        )
        return draft or self.object


def invoice_crumbs(invoice, verb):
    return [
        ("Invoices", reverse("billing:invoice_list")),
        (str(invoice), invoice.get_absolute_url()),
        (verb, None),
    ]
