"""Billing's background work: invoice emails with their PDF, the daily overdue check and the
monthly invoice run (for every tenant), and invoice runs started from the console."""

from __future__ import annotations

import logging
from datetime import date

from django.core.mail import EmailMessage
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from core.tasks import tenant_task
from tenants.models import Tenant

from . import money
from .models import Invoice
from .services.dunning import mark_overdue, suspend_overdue_customers
from .services.invoice_runs import invoice_run
from .services.subscriptions import end_trials

logger = logging.getLogger(__name__)

EMAIL_SUBJECTS = {
    "invoice": "Invoice {number} from {tenant}",
    "receipt": "Payment received for invoice {number}",
    "overdue": "Invoice {number} is overdue",
}


@tenant_task(queue="emails")
def send_invoice_email(*, invoice_id: int, kind: str) -> None:
    """The invoice (or receipt) goes to the billing contact with its PDF attached."""
    from tenants.services import current_base_url

    from .pdf import invoice_pdf
    from .seller import invoice_email_headers

    invoice = Invoice.objects.select_related("customer").filter(pk=invoice_id).first()
    if invoice is None or not invoice.billing_email:
        return
    tenant = Tenant.objects.get(schema_name=connection.schema_name)
    base = current_base_url(tenant)
    context = {
        "invoice": invoice,
        "tenant": tenant,
        "kind": kind,
        "portal_url": base + "/portal/" if base else "",
    }
    message = EmailMessage(
        subject=EMAIL_SUBJECTS[kind].format(number=invoice.number, tenant=tenant.name),
        body=render_to_string("billing/email/invoice_message.txt", context),
        to=[invoice.billing_email],
        **invoice_email_headers(tenant.name),  # the seller's From name and Reply-To
    )
    receipt = kind == "receipt"
    message.attach(
        f"{'receipt' if receipt else 'invoice'}-{invoice.number}.pdf",
        invoice_pdf(invoice, receipt=receipt),
        "application/pdf",
    )
    message.send()


@tenant_task(queue="billing")
def run_invoices(
    *,
    month: str,
    actor_id: int | None,
    issue: bool = True,
    notify: bool = True,
    issue_drafts: bool = False,
    run_id: int | None = None,
) -> int:
    """A run started from the console: ``run_id`` is its record, made when it was started,
    on which the run reports its progress."""
    from accounts.models import User

    from .models import InvoiceRun

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    run = InvoiceRun.objects.filter(pk=run_id).first() if run_id else None
    if run_id and (run is None or run.status != InvoiceRun.Status.RUNNING):
        return 0
    run = invoice_run(
        month=date.fromisoformat(month),
        actor=actor,
        issue=issue,
        notify=notify,
        issue_drafts=issue_drafts,
        run=run,
    )
    return run.created_count


@app.periodic(cron="7 2 * * *")  # every day at 02:07
@app.task(name="billing.tasks.check_overdue_invoices", queue="maintenance")
def check_overdue_invoices(timestamp: int) -> int:
    """End finished trials, mark invoices overdue, send notices and suspend customers past
    each tenant's limit."""
    changed = 0
    for tenant in Tenant.objects.customer_tenants():
        with schema_context(tenant.schema_name):
            changed += end_trials()
            changed += mark_overdue()
            changed += suspend_overdue_customers()
    return changed


@app.periodic(cron="0 4 1 * *")  # 04:00 on the first of every month
@app.task(name="billing.tasks.monthly_invoice_run", queue="billing")
def monthly_invoice_run(timestamp: int) -> int:
    """Invoice last month for every tenant (idempotent: a repeat creates nothing)."""
    month = money.add_months(timezone.localdate().replace(day=1), -1)
    created = 0
    for tenant in Tenant.objects.customer_tenants():
        with schema_context(tenant.schema_name):
            try:
                created += invoice_run(month=month, actor=None).created_count
            except Exception:
                logger.exception("Invoice run failed in %s", tenant.schema_name)
    return created


@app.periodic(cron="30 5 1 * *")  # 05:30 on the first of every month, after the invoice run
@app.task(name="billing.tasks.monthly_commission_statements", queue="billing")
def monthly_commission_statements(timestamp: int) -> int:
    """Prepare last month's resellers' commission statements for every tenant (idempotent:
    a repeat refreshes Pending statements and leaves Approved and Paid ones alone)."""
    from .services.commissions import prepare_commission_statements

    month = money.add_months(timezone.localdate().replace(day=1), -1)
    created = 0
    for tenant in Tenant.objects.customer_tenants():
        with schema_context(tenant.schema_name):
            try:
                created += prepare_commission_statements(month=month, actor=None).created
            except Exception:
                logger.exception("Commission statements failed in %s", tenant.schema_name)
    return created
