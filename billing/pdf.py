"""The invoice document: one context (``invoice_document``) and one template
(``billing/_invoice_document.html``) for the PDF (WeasyPrint), the console's invoice page and
the portal's invoice page, so all three show the same seller and buyer blocks, lines (one
per usage tier, never an averaged rate), tax lines and totals, with numbers and dates written by core.formats in the active (the
tenant's) locale."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from pathlib import Path

from django.db import connection
from django.db.models import Sum
from django.template.loader import render_to_string

from core.formats import qty_text
from tenants.models import Tenant

from . import tax
from .models import Invoice, TaxTreatment
from .models_credit import CreditNote, CreditSource
from .models_tax import SellerProfile


def grouped_lines(invoice: Invoice) -> list[tuple[str, list]]:
    """Lines grouped by sub-account (a consolidated agency invoice); one group otherwise."""
    lines = list(invoice.lines.all())
    return [
        (name, list(group))
        for name, group in groupby(lines, key=lambda line: line.sub_account_name)
    ]


@dataclass(frozen=True)
class Row:
    """One printed line: a charge, or one tier of a usage charge (``is_tier``)."""

    description: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    tax_rate: Decimal | None = None
    is_tier: bool = False
    note: str = ""


def rows_of(line) -> list[Row]:
    """A usage line priced in tiers prints as its heading and one row per tier with that
    tier's own unit price; any other line prints as itself."""
    rate = line.tax_rate if line.tax_name else None
    if not line.breakdown:
        return [Row(line.description, line.quantity, line.unit_price, line.amount, rate)]
    name = line.description.split(":", 1)[0]
    rows = [Row(name, line.quantity, None, line.amount, rate, note="priced in tiers:")]
    for tier in line.breakdown:
        first = qty_text(tier["from"])
        last = qty_text(tier["to"])
        if not last:
            span = f"over {first}"
        elif Decimal(tier["from"]) == 0:
            span = f"up to {last}"
        else:
            span = f"over {first} up to {last}"
        rows.append(
            Row(
                f"{name}, {span}",
                Decimal(tier["quantity"]),
                Decimal(tier["unit_price"]),
                Decimal(tier["amount"]),
                is_tier=True,
            )
        )
    return rows


def seller_of(invoice: Invoice, profile: SellerProfile, tenant: Tenant) -> dict:
    """The seller as the invoice was made (its snapshot), falling back to today's profile for
    invoices made before profiles existed; the workspace's name when no legal name is set."""
    seller = dict(invoice.seller or tax.seller_snapshot(profile))
    seller["legal_name"] = seller.get("legal_name") or tenant.name
    return seller


def invoice_document(invoice: Invoice, *, for_pdf: bool = False, receipt: bool = False) -> dict:
    """Everything the invoice document prints, in a fixed number of queries (lines, seller
    profile, tenant; payments for a receipt)."""
    profile = SellerProfile.current()
    tenant = Tenant.objects.get(schema_name=connection.schema_name)
    lines = list(invoice.lines.all())
    groups = [
        (name, [row for line in group for row in rows_of(line)])
        for name, group in groupby(lines, key=lambda line: line.sub_account_name)
    ]
    logo = ""
    if profile.logo:
        logo = Path(profile.logo.path).as_uri() if for_pdf else profile.logo.url
    return {
        "invoice": invoice,
        "groups": groups,
        "tax_lines": tax.summary(lines),
        "treatment_note": tax.TREATMENT_NOTES.get(TaxTreatment(invoice.tax_treatment), ""),
        "rounding_rule": tax.ROUNDING_RULE,
        "seller": seller_of(invoice, profile, tenant),
        "logo": logo,
        "tenant": tenant,
        "receipt": receipt,
        "payments": list(invoice.payments.order_by("paid_on", "pk")) if receipt else [],
        **settlement_of(invoice),
    }


def settlement_of(invoice: Invoice) -> dict:
    """How the invoice's settled amount (``amount_paid``) splits: payments, credit notes and
    applied customer credit (two queries)."""
    notes = list(invoice.credit_notes.order_by("issue_date", "pk"))
    applied = -(
        invoice.credit_entries.filter(source=CreditSource.APPLIED).aggregate(total=Sum("amount"))[
            "total"
        ]
        or Decimal("0")
    )
    credited = sum((note.total for note in notes), Decimal("0"))
    return {
        "credit_notes": notes,
        "credited": credited,
        "credit_applied": applied,
        "paid_by_payments": invoice.amount_paid - credited - applied,
    }


def credit_note_document(note: CreditNote, *, for_pdf: bool = False) -> dict:
    """The credit note printed with the invoice document's blocks: seller and buyer (as on
    the invoice it credits), its lines with their tax, tax lines and totals."""
    profile = SellerProfile.current()
    tenant = Tenant.objects.get(schema_name=connection.schema_name)
    invoice = note.invoice
    lines = list(note.lines.all())
    rows = [
        Row(
            line.description,
            line.quantity,
            line.unit_price,
            line.amount,
            line.tax_rate if line.tax_name else None,
        )
        for line in lines
    ]
    logo = ""
    if profile.logo:
        logo = Path(profile.logo.path).as_uri() if for_pdf else profile.logo.url
    return {
        "invoice": invoice,
        "credit_note": note,
        "groups": [("", rows)],
        "tax_lines": tax.summary(lines),
        "treatment_note": tax.TREATMENT_NOTES.get(TaxTreatment(invoice.tax_treatment), ""),
        "rounding_rule": tax.ROUNDING_RULE,
        "seller": seller_of(invoice, profile, tenant),
        "logo": logo,
        "tenant": tenant,
        "receipt": False,
        "payments": [],
    }


def credit_note_pdf(note: CreditNote) -> bytes:
    from weasyprint import HTML

    context = credit_note_document(note, for_pdf=True)
    return HTML(string=render_to_string("billing/credit_note_pdf.html", context)).write_pdf()


def invoice_html(invoice: Invoice, *, receipt: bool = False) -> str:
    """The HTML the PDF is made from (also what a screenshot of the PDF's layout shows)."""
    context = invoice_document(invoice, for_pdf=True, receipt=receipt)
    return render_to_string("billing/invoice_pdf.html", context)


def invoice_pdf(invoice: Invoice, *, receipt: bool = False) -> bytes:
    from weasyprint import HTML

    return HTML(string=invoice_html(invoice, receipt=receipt)).write_pdf()
