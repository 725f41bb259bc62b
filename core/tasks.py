"""Background work on the PostgreSQL task queue (procrastinate). Every tenant task carries its
tenant's schema name and runs inside that schema."""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)


class TenantGone(Exception):
    """The tenant a job was queued for no longer exists: the job fails, without retries."""


class TenantRetryStrategy(RetryStrategy):
    """Retry with exponential backoff (2, 4, 8, 16 s …), except when retrying cannot help."""

    def get_retry_decision(self, *, exception, job):
        if isinstance(exception, TenantGone):
            return None
        return super().get_retry_decision(exception=exception, job=job)


DEFAULT_RETRY = TenantRetryStrategy(max_attempts=5, exponential_wait=2)


def tenant_task(*, queue: str = "default", retry=DEFAULT_RETRY):
    """Declare a task that runs inside one tenant's schema; call it with ``schema_name=``."""

    def decorate(func):
        @functools.wraps(func)
        def run_in_tenant(*, schema_name: str, **kwargs):
            from tenants.models import Tenant

            if not Tenant.objects.filter(schema_name=schema_name).exists():
                raise TenantGone(
                    f"Tenant schema {schema_name!r} no longer exists; {func.__name__} skipped."
                )
            with schema_context(schema_name):
                return func(**kwargs)

        return app.task(name=f"{func.__module__}.{func.__name__}", queue=queue, retry=retry)(
            run_in_tenant
        )

    return decorate


def defer_after_commit(task, **kwargs) -> None:
    """Queue ``task`` for the current tenant once the surrounding transaction commits (nothing
    is queued for work that was rolled back). With TASKS_RUN_INLINE (tests, no worker) the
    task runs in-process at that moment instead."""
    schema_name = connection.schema_name

    def enqueue() -> None:
        if settings.TASKS_RUN_INLINE:
            task(schema_name=schema_name, **kwargs)
        else:
            task.defer(schema_name=schema_name, **kwargs)

    transaction.on_commit(enqueue)


def defer_many_after_commit(task, calls: list[dict], *, batch_size: int = 5000) -> None:
    """``defer_after_commit`` for many calls of one task: queued in batches of one statement
    each once the transaction commits (a bulk import queues thousands)."""
    if not calls:
        return
    schema_name = connection.schema_name

    def enqueue() -> None:
        if settings.TASKS_RUN_INLINE:
            for kwargs in calls:
                task(schema_name=schema_name, **kwargs)
            return
        for start in range(0, len(calls), batch_size):
            task.batch_defer(
                *(
                    {"schema_name": schema_name, **kwargs}
                    for kwargs in calls[start : start + batch_size]
                )
            )

    transaction.on_commit(enqueue)


def on_app_ready(app) -> None:
    """Make sure every module that declares tasks is imported before a worker starts."""
    app.import_paths = sorted(
        {
            *app.import_paths,
            "accounts.tasks",
            "billing.tasks",
            "customers.tasks",
            "imports.tasks",
            "webhooks.tasks",
        }
    )
