import logging

from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from tenants.models import Tenant

from .services import documents_sweep_orphans

logger = logging.getLogger(__name__)


@app.periodic(cron="53 3 * * *")  # every night at 03:53 (as manage.py documents_sweep)
@app.task(name="documents.tasks.sweep_orphaned_files", queue="maintenance")
def sweep_orphaned_files(timestamp: int) -> int:
    """Remove stored document files no version names, older than an hour, in every tenant
    (an upload interrupted between storing the file and committing its rows)."""
    removed = 0
    for tenant in Tenant.objects.customer_tenants():
        with schema_context(tenant.schema_name):
            count = documents_sweep_orphans()
        if count:
            logger.info("Removed %s orphaned document files in %s", count, tenant.schema_name)
        removed += count
    return removed
