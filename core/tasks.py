"""Background work on the PostgreSQL task queue (procrastinate). Every tenant task carries its
tenant's schema name and runs inside that schema."""

from __future__ import annotations

import functools
import logging
import time
import weakref

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django_tenants.utils import get_tenant_model, schema_context
from procrastinate import PsycopgConnector, RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.contrib.django.settings import settings as procrastinate_settings
from procrastinate.contrib.django.utils import connector_params
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from core.formats import locale_override

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


# A tenant found in the registry is trusted for this long before a task looks it up again.
KNOWN_TENANT_SECONDS = 5.0

_known_tenants: dict[str, float] = {}  # schema name -> monotonic time it is trusted until
_known_locales: dict[str, str] = {}  # schema name -> its locale (core.formats), read with it
# A worker that has served every tenant of a large platform keeps no more than this many (the
# expired ones are dropped first): the memory is bounded whatever the number of tenants.
KNOWN_TENANTS_MAX = 1000


def tenant_exists(schema_name: str, *, trust_recent: bool = True) -> bool:
    """Whether the tenant registry still has this schema. A worker runs many jobs for the same
    few tenants, so a tenant found is remembered for KNOWN_TENANT_SECONDS (unknown names are
    always looked up: a new tenant is found at once). Deleting or saving a tenant in this
    process forgets every one, and a job whose tenant was dropped meanwhile still fails
    cleanly: the task re-checks when the job raises (below)."""
    now = time.monotonic()
    if trust_recent and _known_tenants.get(schema_name, 0.0) > now:
        return True
    locale = (
        get_tenant_model()
        .objects.filter(schema_name=schema_name)
        .values_list("locale", flat=True)
        .first()
    )
    exists = locale is not None
    if exists:
        if len(_known_tenants) >= KNOWN_TENANTS_MAX:
            for name in [name for name, until in _known_tenants.items() if until <= now]:
                del _known_tenants[name]
                _known_locales.pop(name, None)
            if len(_known_tenants) >= KNOWN_TENANTS_MAX:
                _known_tenants.clear()
                _known_locales.clear()
        _known_tenants[schema_name] = now + KNOWN_TENANT_SECONDS
        _known_locales[schema_name] = locale
    else:
        _known_tenants.pop(schema_name, None)
    return exists


def forget_known_tenants(**kwargs) -> None:
    _known_tenants.clear()
    _known_locales.clear()


post_save.connect(forget_known_tenants, sender=settings.TENANT_MODEL)
post_delete.connect(forget_known_tenants, sender=settings.TENANT_MODEL)


def _gone_after_failure(schema_name: str) -> bool:
    """A job that was let in on a remembered verdict raised: was its tenant dropped meanwhile?
    (If even that lookup fails, the job's own error is the one to report.)"""
    try:
        return not tenant_exists(schema_name, trust_recent=False)
    except DatabaseError:
        return False


def tenant_task(*, queue: str = "default", retry=DEFAULT_RETRY):
    """Declare a task that runs inside one tenant's schema; call it with ``schema_name=``. A
    job whose tenant no longer exists fails with TenantGone, without retries."""

    def decorate(func):
        @functools.wraps(func)
        def run_in_tenant(*, schema_name: str, **kwargs):
            remembered = _known_tenants.get(schema_name, 0.0) > time.monotonic()
            if not remembered and not tenant_exists(schema_name):
                raise TenantGone(
                    f"Tenant schema {schema_name!r} no longer exists; {func.__name__} skipped."
                )
            try:
                # Numbers and dates in emails and PDFs in the tenant's locale (core.formats).
                with schema_context(schema_name), locale_override(_known_locales.get(schema_name)):
                    return func(**kwargs)
            except Exception as exc:
                if remembered and _gone_after_failure(schema_name):
                    raise TenantGone(
                        f"Tenant schema {schema_name!r} was dropped; {func.__name__} failed."
                    ) from exc
                raise

        return app.task(name=f"{func.__module__}.{func.__name__}", queue=queue, retry=retry)(
            run_in_tenant
        )

    return decorate


def defer_after_commit(task, **kwargs) -> None:
    """Queue ``task`` for the current tenant once the surrounding transaction commits (nothing
    is queued for work that was rolled back). With TASKS_RUN_INLINE (tests, no worker) the
    task runs in-process at that moment instead."""
    defer_many_after_commit(task, [kwargs])


def defer_many_after_commit(task, calls: list[dict], *, batch_size: int = 5000) -> None:
    """``defer_after_commit`` for many calls of one task, queued in batches of one statement
    each (a bulk import queues thousands)."""
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


# A pooled connection back within this many seconds is trusted without a ping.
PING_AFTER_IDLE_SECONDS = 2.0

_returned_at: weakref.WeakKeyDictionary[AsyncConnection, float] = weakref.WeakKeyDictionary()


async def _note_return(conn: AsyncConnection) -> None:
    _returned_at[conn] = time.monotonic()


async def _ping_if_idle(conn: AsyncConnection) -> None:
    """The pool's check before lending a connection: a round trip only for one that sat idle
    (the server may have closed it meanwhile), not for one used a moment ago."""
    if time.monotonic() - _returned_at.get(conn, 0.0) > PING_AFTER_IDLE_SECONDS:
        await AsyncConnectionPool.check_connection(conn)


async def _autocommit(conn: AsyncConnection) -> None:
    await conn.set_autocommit(True)


def _worker_pool(**kwargs) -> AsyncConnectionPool:
    # Autocommit is set on each new pooled connection, not in the connection kwargs: the
    # worker's LISTEN connection is opened from those kwargs plus its own autocommit=True.
    return AsyncConnectionPool(
        **{**kwargs, "configure": _autocommit, "check": _ping_if_idle, "reset": _note_return}
    )


def worker_connector() -> PsycopgConnector:
    """The worker's own connection pool (what procrastinate's ``get_worker_connector`` builds),
    tuned for its query pattern: two statements per job (fetch, finish), each one call of a
    procrastinate SQL function and atomic by itself. In autocommit they are one round trip
    each instead of three (BEGIN, call, COMMIT), and the pool pings only connections that sat
    idle instead of every one it lends: 10 round trips per no-op job become 4."""
    params = connector_params(procrastinate_settings.DATABASE_ALIAS)
    return PsycopgConnector(kwargs=params, pool_factory=_worker_pool)


def on_app_ready(app) -> None:
    """Make sure every module that declares tasks is imported before a worker starts, and give
    the workers (``manage.py procrastinate worker``, which asks the Django connector for one)
    the tuned connector."""
    app.connector.get_worker_connector = worker_connector
    app.import_paths = sorted(
        {
            *app.import_paths,
            "accounts.tasks",
            "activity.tasks",
            "billing.tasks",
            "core.bulk",
            "core.exports",
            "customers.tasks",
            "imports.tasks",
            "tenants.tasks",
            "webhooks.tasks",
        }
    )


@app.periodic(cron="41 * * * *")  # hourly
@app.task(name="core.tasks.purge_rate_counters", queue="maintenance")
def purge_rate_counters(timestamp: int) -> int:
    """Delete API rate-limit counters no rate can read any more (core.throttle)."""
    from core.throttle import purge_before

    return purge_before(now=time.time())


@app.periodic(cron="29 4 * * *")  # every night at 04:29
@app.task(name="core.tasks.prune_notifications_and_exports", queue="maintenance")
def prune_notifications_and_exports(timestamp: int) -> int:
    """Remove every tenant's read notifications older than core.notifications.KEEP_READ_DAYS
    and exports older than core.exports.KEEP_DAYS."""
    from core.exports import prune_old
    from core.notifications import prune_read

    pruned = 0
    for schema_name in (
        get_tenant_model().objects.customer_tenants().values_list("schema_name", flat=True)
    ):
        with schema_context(schema_name):
            pruned += prune_read() + prune_old()
    return pruned
