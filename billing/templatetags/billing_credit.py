"""Credit notes and customer credit on the pages that show an invoice or a company's billing
(the console's invoice page and Billing tab, the portal's billing and invoice pages), as
panels with a fixed number of queries, so those pages' views stay as they are.

``{% invoice_credit_panel invoice can_manage %}`` and
``{% customer_credit_panel customer portal_company=None %}``."""

from __future__ import annotations

from django import template

from ..models_credit import CreditNote
from ..services.credit_notes import CREDITABLE, available_credit, credit_balances

register = template.Library()

LISTED = 10


@register.inclusion_tag("billing/credit_note_panel.html")
def invoice_credit_panel(invoice, can_manage=False, portal_company=None):
    """The invoice's credit notes; for billing managers, the “Issue credit note” action and
    the customer's available credit to apply (two queries)."""
    notes = list(invoice.credit_notes.order_by("issue_date", "pk"))
    is_open = invoice.status in CREDITABLE and invoice.balance > 0
    credit = (
        available_credit(invoice.customer_id, invoice.currency)
        if can_manage and is_open and invoice.customer_id and not portal_company
        else 0
    )
    return {
        "invoice": invoice,
        "credit_notes": notes,
        "can_manage": can_manage and not portal_company,
        "can_credit": can_manage and is_open and not portal_company,
        "available_credit": credit,
        "portal_company": portal_company,
    }


@register.inclusion_tag("billing/credit_note_customer_panel.html")
def customer_credit_panel(customer, portal_company=None):
    """A company's recent credit notes and its available credit per currency (two queries)."""
    notes = list(
        CreditNote.objects.filter(customer=customer)
        .select_related("invoice")
        .order_by("-issue_date", "-pk")[:LISTED]
    )
    balances = credit_balances([customer.pk]).get(customer.pk, {})
    return {
        "customer": customer,
        "credit_notes": notes,
        "balances": sorted(balances.items()),
        "portal_company": portal_company,
    }


@register.inclusion_tag("billing/_invoice_document.html")
def credit_note_document(note):
    """The credit note inside a web page, with the context its PDF is made from."""
    from ..pdf import credit_note_document as document_context

    return document_context(note)
