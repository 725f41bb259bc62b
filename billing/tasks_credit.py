"""The credit note email: the credit note's PDF to the invoice's billing contact, sent by the
task queue after the credit note commits (billing.tasks imports it, so workers know it)."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import connection
from django.template.loader import render_to_string

from core.tasks import tenant_task
from customers.services_contacts import invoice_recipient
from tenants.models import Tenant

from .models_credit import CreditNote


def recipients_of(note: CreditNote) -> list[str]:
    """The company's billing recipients: the invoice's billing email, else whom the
    customer's invoices go to today (``invoice_recipient``)."""
    if note.invoice.billing_email:
        return [note.invoice.billing_email]
    customer = note.customer
    if customer is None:
        return []
    _name, email = invoice_recipient(customer)
    return [email] if email else []


@tenant_task(queue="emails")
def send_credit_note_email(*, credit_note_id: int) -> None:
    from .pdf import credit_note_pdf
    from .seller import invoice_email_headers

    note = (
        CreditNote.objects.select_related("invoice", "customer").filter(pk=credit_note_id).first()
    )
    if note is None:
        return
    to = recipients_of(note)
    if not to:
        return
    tenant = Tenant.objects.get(schema_name=connection.schema_name)
    message = EmailMessage(
        subject=f"Credit note {note.number} for invoice {note.invoice.number} from {tenant.name}",
        body=render_to_string(
            "billing/email/credit_note_message.txt", {"note": note, "tenant": tenant}
        ),
        to=to,
        **invoice_email_headers(tenant.name),
    )
    message.attach(f"credit-note-{note.number}.pdf", credit_note_pdf(note), "application/pdf")
    message.send()
