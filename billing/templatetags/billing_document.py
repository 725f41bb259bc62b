"""``{% invoice_document invoice %}``: the invoice document (billing/_invoice_document.html)
inside a web page, with the same context the PDF is made from (billing.pdf)."""

from __future__ import annotations

from django import template

from ..pdf import invoice_document as document_context

register = template.Library()


@register.inclusion_tag("billing/_invoice_document.html")
def invoice_document(invoice):
    return document_context(invoice)
