import logging

from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from tenants.models import Tenant

from .services import purge_due_customers

logger = logging.getLogger(__name__)


@app.periodic(cron="17 3 * * *")  # every night at 03:17
@app.task(name="customers.tasks.purge_deleted_customers", queue="maintenance")
def purge_deleted_customers(timestamp: int) -> int:
    """Remove customers deleted longer ago than each tenant's grace period."""
    purged = 0
    for tenant in Tenant.objects.customer_tenants():
        with schema_context(tenant.schema_name):
            count = purge_due_customers(grace_days=tenant.soft_delete_grace_days)
        if count:
            logger.info("Purged %s customers in %s", count, tenant.schema_name)
        purged += count
    return purged
