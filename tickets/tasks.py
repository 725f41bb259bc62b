"""The service desk's periodic work besides mail in: the SLA breach check."""

from __future__ import annotations

import logging

from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from tenants.models import Tenant

logger = logging.getLogger(__name__)


@app.periodic(cron="* * * * *")  # every minute
@app.task(name="tickets.tasks.check_sla_breaches", queue="default")
def check_sla_breaches(timestamp: int) -> int:
    """Record every tenant's tickets that have just missed a service level."""
    from .services_sla import check_breaches

    told = 0
    for tenant in Tenant.objects.customer_tenants():
        with schema_context(tenant.schema_name):
            try:
                told += check_breaches()
            except Exception:
                logger.exception("The SLA check failed in %s", tenant.schema_name)
    return told
