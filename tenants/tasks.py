import contextlib

from django.conf import settings
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.exceptions import AlreadyEnqueued

from .spares import refill_spares


@app.periodic(cron="*/30 * * * *")  # also after each provisioning and each setup
@app.task(name="tenants.tasks.refill_spare_schemas", queue="maintenance", queueing_lock="spares")
def refill_spare_schemas(timestamp: int | None = None) -> int:
    """Keep TENANT_SPARE_SCHEMAS migrated spare schemas ready for new tenants."""
    return refill_spares()


def queue_refill() -> None:
    """Refill the spares in the background (one queued refill is enough)."""
    if settings.TASKS_RUN_INLINE:
        refill_spare_schemas()
        return
    queued = ProcrastinateJob.objects.filter(task_name=refill_spare_schemas.name, status="todo")
    if queued.exists():
        return
    with contextlib.suppress(AlreadyEnqueued):  # queued by another process meanwhile
        refill_spare_schemas.defer()
