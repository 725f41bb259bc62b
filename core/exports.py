"""Exports of a console list: the rows its filters match, in the columns the user shows. Up to
INLINE_MAX rows the file is written in the request (streamed); bigger ones are an ExportJob on
the task queue whose page shows live progress, ending with the file to download and a
notification. The file is kept in the tenant's schema (the worker may run on another machine
than the web server) for KEEP_DAYS."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone

from . import list_prefs
from .formats import count_text
from .list_prefs_models import EXPORT_FORMATS as FORMATS
from .list_prefs_models import ExportJob
from .notifications import NotificationKind, notify
from .policies import user_can
from .scope import scope_for
from .tasks import defer_after_commit, tenant_task

logger = logging.getLogger(__name__)

INLINE_MAX = 5000
PROGRESS_EVERY = 2000
KEEP_DAYS = 7
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FAILED_MESSAGE = "The export stopped on an unexpected error. Try again, or narrow the list."


def neutralise_formula(value) -> str:
    """Spreadsheets execute cells that start with these characters; make them plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(stream, header: list[str], rows: Iterable[Iterable]) -> None:
    """UTF-8 with a byte-order mark (so spreadsheet programs read it), formulas neutralised."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_formula(cell) for cell in row])
    text.detach()


def write_xlsx(stream, header: list[str], rows: Iterable[Iterable]) -> None:
    """An .xlsx written row by row (openpyxl's write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell_of(value):
        if isinstance(value, int | float):
            return value
        # Control characters (a vertical tab pasted into a name) are valid text in the
        # database but not in a worksheet: openpyxl would refuse the whole export.
        return ILLEGAL_CHARACTERS_RE.sub("", neutralise_formula(value))

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    sheet.append(header)
    for row in rows:
        sheet.append([cell_of(cell) for cell in row])
    workbook.save(stream)


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


def is_big(queryset) -> bool:
    """Whether an export of ``queryset`` goes to the task queue (one capped count)."""
    return queryset.order_by()[: INLINE_MAX + 1].count() > INLINE_MAX


def export_job_start(*, actor, list_key: str, query: str, file_format: str) -> ExportJob:
    """Record a big export of the list ``list_key`` filtered by ``query`` and queue it."""
    view_class = list_prefs.list_view_for(list_key)
    if view_class is None:
        raise ValidationError("There is no such list.")
    if not may_open(actor, view_class):
        raise ValidationError("Your role does not open this list.")
    if file_format not in FORMATS:
        raise ValidationError("Choose CSV or Excel.")
    params = QueryDict(query, mutable=True)
    for name in ("export", "page", "cursor", "per_page"):
        params.pop(name, None)
    title = f"Export of {view_class.model._meta.verbose_name_plural}"
    with transaction.atomic():
        job = ExportJob.objects.create(
            actor=actor,
            list_key=list_key,
            title=title,
            query=params.urlencode(),
            file_format=file_format,
        )
        defer_after_commit(run_export_job, job_id=job.pk)
    return job


def may_open(user, view_class) -> bool:
    """The list page's own access rule (its view's capability and scope), for work done
    outside the page: starting an export and, in the worker, writing it."""
    if not user.is_active or not user_can(user, view_class.required_capability):
        return False
    return not (view_class.requires_unlimited_scope and scope_for(user).is_limited)


def list_view_as(user, list_key: str, query: str):
    """The list's own view, set up for ``user`` and ``query`` outside a request (the worker),
    so the rows and columns are exactly what the list page shows them; refused when the user
    may no longer open the list."""
    from django.test import RequestFactory

    view_class = list_prefs.list_view_for(list_key)
    if view_class is None or not may_open(user, view_class):
        raise PermissionDenied("The list is not this user's to export any more.")
    request = RequestFactory().get("/", QueryDict(query))
    request.user = user
    request.tenant = getattr(connection, "tenant", None)
    request.htmx = False
    view = view_class()
    view.setup(request)
    view.partial = False
    return view


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the file, saving progress every PROGRESS_EVERY rows; a failure is recorded on the
    job (and told to its actor), never left as a job that seems to run forever."""
    job = ExportJob.objects.select_related("actor").get(pk=job_id)
    if not job.is_busy:
        return job
    try:
        view = list_view_as(job.actor, job.list_key, job.query)
        queryset = view.get_export_queryset(view.get_filterset().qs)
        job.total = queryset.order_by().count()
        job.state = ExportJob.State.RUNNING
        job.save(update_fields=["state", "total"])
        header, rows = view.export_rows(queryset)

        def counted() -> Iterable[list]:
            for row in rows:
                yield row
                job.processed += 1
                if job.processed % PROGRESS_EVERY == 0:
                    ExportJob.objects.filter(pk=job.pk).update(processed=job.processed)

        job.processed = 0
        with tempfile.TemporaryFile() as spool:
            WRITERS[job.file_format](spool, header, counted())
            spool.seek(0)
            job.data = spool.read()
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        job.state, job.error, job.finished_at = (
            ExportJob.State.FAILED,
            FAILED_MESSAGE,
            timezone.now(),
        )
        job.save(update_fields=["state", "error", "finished_at"])
        notify(
            [job.actor],
            kind=NotificationKind.EXPORT_FAILED,
            message=f"{job.title} failed.",
            url=job.get_absolute_url(),
        )
        return job
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    job.file_name = f"{view.export_name}-{stamp}.{job.file_format}"
    job.size = len(job.data)
    job.state, job.finished_at = ExportJob.State.DONE, timezone.now()
    with transaction.atomic():
        job.save(update_fields=["state", "processed", "file_name", "data", "size", "finished_at"])
        notify(
            [job.actor],
            kind=NotificationKind.EXPORT_READY,
            message=f"{job.title} is ready: {count_text(job.processed)} "
            f"row{'s' if job.processed != 1 else ''}.",
            url=job.get_absolute_url(),
        )
    return job


@tenant_task(queue="default", retry=False)
def run_export_job(*, job_id: int) -> None:
    export_job_run(job_id=job_id)


def job_for(user, pk: int) -> ExportJob | None:
    """An export is its actor's alone (the file holds what their scope showed them)."""
    return ExportJob.objects.filter(pk=pk, actor=user).defer("data").first()


def prune_old(*, now=None) -> int:
    """Remove exports older than KEEP_DAYS (their files with them)."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    deleted, _ = ExportJob.objects.filter(created_at__lt=cutoff).delete()
    return deleted
