"""The contracts' daily work (renew the auto-renewing contracts whose term ended, remind the
owners whose reminder day has come) and the reminder email, sent after the commit."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from core.tasks import tenant_task
from tenants.models import Tenant

logger = logging.getLogger(__name__)


@app.periodic(cron="7 * * * *")  # hourly: a reminder goes out on its day, whatever the hour
@app.task(name="contracts.tasks.contract_renewals", queue="default")
def contract_renewals(timestamp: int) -> int:
    """Every tenant's renewals and reminders (each term reminded once: contract_remind)."""
    from .services import renewals_run

    done = 0
    for tenant in Tenant.objects.customer_tenants():
        with schema_context(tenant.schema_name):
            try:
                renewed, reminded = renewals_run()
                done += renewed + reminded
            except Exception:
                logger.exception("Contract renewals failed in %s", tenant.schema_name)
    return done


@tenant_task(queue="emails")
def send_renewal_reminder(*, contract_id: int, user_ids: list[int]) -> int:
    """The renewal reminder, to the contract's owner (or the managers)."""
    from accounts.models import User
    from tenants.services import current_base_url

    from .models import Contract

    contract = Contract.objects.select_related("customer").filter(pk=contract_id).first()
    if contract is None or not contract.end_date:
        return 0
    base = current_base_url()
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        context = {
            "contract": contract,
            "user": user,
            "url": base + contract.get_absolute_url() if base else "",
        }
        EmailMessage(
            subject=(
                f"Renewal due: {contract.name} ({contract.customer.name}), notice by "
                f"{contract.notice_deadline:%Y-%m-%d}"
            ),
            body=render_to_string("contracts/email/renewal_reminder.txt", context),
            to=[user.email],
        ).send()
        sent += 1
    return sent
