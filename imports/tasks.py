"""Imports run on the task queue, inside their tenant's schema: the check (dry run) after the
upload, the import itself after the user confirms."""

from core.tasks import tenant_task

from . import services


@tenant_task(queue="imports", retry=False)
def check_import(*, job_id: int) -> None:
    services.import_job_check(job_id=job_id)


@tenant_task(queue="imports", retry=False)
def run_import(*, job_id: int) -> None:
    services.import_job_run(job_id=job_id)
