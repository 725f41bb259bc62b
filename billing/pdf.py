"""Invoices and receipts as PDF, rendered by WeasyPrint from an HTML template."""

from __future__ import annotations

from itertools import groupby

from django.db import connection
from django.template.loader import render_to_string

from tenants.models import Tenant

from .models import Invoice


def grouped_lines(invoice: Invoice) -> list[tuple[str, list]]:
    """Lines grouped by sub-account (a consolidated agency invoice); one group otherwise."""
    lines = list(invoice.lines.all())
    return [
        (name, list(group))
        for name, group in groupby(lines, key=lambda line: line.sub_account_name)
    ]


def invoice_pdf(invoice: Invoice, *, receipt: bool = False) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "billing/invoice_pdf.html",
        {
            "invoice": invoice,
            "groups": grouped_lines(invoice),
            "payments": list(invoice.payments.order_by("paid_on", "pk")) if receipt else [],
            "receipt": receipt,
            "tenant": Tenant.objects.get(schema_name=connection.schema_name),
            "settings": _billing_settings(),
        },
    )
    return HTML(string=html).write_pdf()


def _billing_settings():
    from .models import BillingSettings

    return BillingSettings.current()
