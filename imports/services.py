"""Writes of imports: upload (quick checks, then a background dry run), confirm, and the
all-or-nothing import that re-validates every row inside its transaction."""

from __future__ import annotations

import logging
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from core.formats import count_text
from core.notifications import NotificationKind, notify
from core.tasks import defer_after_commit

from .bulk import copy_rows
from .engine import ImportResource, ImportResult, Sheet
from .models import ImportJob, ImportRow, ImportStatus, RowAction
from .parsing import ImportFileError, file_format, read_table
from .resources import RESOURCES, map_headers

logger = logging.getLogger(__name__)


def check_headers(kind: str, headers: list) -> list[str]:
    """Missing required or repeated columns stop the file; returns the ignored ones."""
    header_map = map_headers(RESOURCES[kind], headers)
    if header_map.missing:
        names = ", ".join(column.name for column in header_map.missing)
        raise ImportFileError(
            f"Required column{'s' if len(header_map.missing) > 1 else ''} missing: {names}. "
            "Download the template to see the expected column names."
        )
    if header_map.duplicated:
        raise ImportFileError(
            f"These columns appear twice: {', '.join(header_map.duplicated)}. Keep one of each."
        )
    return header_map.ignored


@transaction.atomic
def import_job_create(*, kind: str, data: bytes, file_name: str, actor: User | None) -> ImportJob:
    """Check the file's shape (size, format, encoding, columns, row count) now; check every
    row in the background, writing nothing (the dry run)."""
    if kind not in RESOURCES:
        raise ImportFileError("Unknown kind of import.")
    table = read_table(data, file_name, header_only=True)
    ignored = check_headers(kind, table.headers)
    if not table.row_count:
        raise ImportFileError("The file has column names but no rows to import.")
    job = ImportJob.objects.create(
        kind=kind,
        file_name=file_name[:255],
        file_format=file_format(file_name),
        data=data,
        size=len(data),
        total_rows=table.row_count,
        warnings=table.warnings,
        ignored_columns=ignored,
        created_by=actor,
    )
    from .tasks import check_import

    defer_after_commit(check_import, job_id=job.pk)
    return job


@transaction.atomic
def import_job_confirm(*, job_id: int, actor: User | None) -> ImportJob:
    job = ImportJob.objects.select_for_update().defer("data").get(pk=job_id)
    if not job.can_confirm:
        if job.error_count:
            raise ValidationError("Fix the rows in error and upload the file again.")
        raise ValidationError("This import cannot be started now.")
    job.status = ImportStatus.RUNNING
    job.processed_rows = 0
    job.confirmed_by = actor
    job.confirmed_at = timezone.now()
    job.save(update_fields=["status", "processed_rows", "confirmed_by", "confirmed_at"])
    from .tasks import run_import

    defer_after_commit(run_import, job_id=job.pk)
    return job


def build_sheet(job: ImportJob) -> Sheet:
    """The whole file as rows of the resource's columns (others dropped), with each row's
    line number in the file."""
    table = read_table(bytes(job.data), job.file_name)
    check_headers(job.kind, table.headers)
    header_map = map_headers(RESOURCES[job.kind], table.headers)
    keep = [index for index, name in enumerate(header_map.columns) if name]
    width = len(table.headers)
    rows = []
    for row in table.rows:
        if len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        rows.append([row[index] for index in keep])
    table.rows = []  # the cells now live in the sheet only
    return Sheet([header_map.columns[index] for index in keep], rows, table.lines)


class ProgressChannel:
    """Writes processed_rows on a connection of its own: the import's transaction stays open
    until the last row, and the polling page must see progress before that."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.schema = connection.schema_name
        self.link = None

    def __call__(self, processed: int) -> None:
        import psycopg
        from psycopg import sql

        try:
            if self.link is None:
                params = {
                    key: value
                    for key, value in connection.get_connection_params().items()
                    if key not in ("context", "cursor_factory")
                }
                self.link = psycopg.connect(**params, autocommit=True)
            self.link.execute(
                sql.SQL("UPDATE {}.imports_importjob SET processed_rows = %s WHERE id = %s").format(
                    sql.Identifier(self.schema)
                ),
                [processed, self.job_id],
            )
        except psycopg.Error:  # progress is a nicety; the import must not fail for it
            logger.warning("Could not record import progress", exc_info=True)

    def close(self) -> None:
        if self.link is not None:
            self.link.close()


def execute(
    job: ImportJob, sheet: Sheet, *, dry_run: bool, actor: User | None, progress=None
) -> ImportResult:
    resource: ImportResource = RESOURCES[job.kind](
        actor=actor, lines=sheet.lines, lock=not dry_run, progress=progress
    )
    return resource.run(sheet, dry_run=dry_run)


def store_results(job: ImportJob, result: ImportResult) -> Counter:
    """One ImportRow per row of the file, in one COPY; returns the counts per action."""
    with connection.cursor() as cursor:  # a plain DELETE: nothing refers to import rows
        cursor.execute(f"DELETE FROM {ImportRow._meta.db_table} WHERE job_id = %s", [job.pk])
    copy_rows(
        ImportRow._meta.db_table,
        ["job_id", "line", "action", "record", "messages", "object_id"],
        (
            (job.pk, line, action, record, messages, result.ids.get(line))
            for line, action, record, messages in result.rows
        ),
    )
    return result.counts


def fail(job: ImportJob, summary: str) -> None:
    job.status = ImportStatus.FAILED
    job.error_summary = summary
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error_summary", "finished_at"])


def record_counts(job: ImportJob, counts: Counter, total: int) -> None:
    job.new_count = counts[RowAction.NEW]
    job.update_count = counts[RowAction.UPDATE]
    job.unchanged_count = counts[RowAction.UNCHANGED]
    job.error_count = counts[RowAction.ERROR]
    job.total_rows = total
    job.processed_rows = total


COUNT_FIELDS = [
    "new_count",
    "update_count",
    "unchanged_count",
    "error_count",
    "total_rows",
    "processed_rows",
]


def import_job_check(*, job_id: int) -> ImportJob:
    """The dry run: every row classified new / update / unchanged / error, nothing written;
    whoever uploaded the file is told how it went."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportStatus.PENDING:
        return job
    _check(job)
    _tell_outcome(job, job.created_by, checked=True)
    return job


def _tell_outcome(job: ImportJob, user: User | None, *, checked: bool) -> None:
    if job.status == ImportStatus.FAILED:
        message = f"{job} failed: {job.error_summary}"
    elif checked:
        message = (
            f"{job} is checked: {count_text(job.new_count)} new, "
            f"{count_text(job.update_count)} to update, {count_text(job.error_count)} with "
            "errors. "
        )
        message += "Fix the file and upload it again." if job.error_count else "Review and confirm."
    else:
        message = (
            f"{job} finished: {count_text(job.new_count)} new, "
            f"{count_text(job.update_count)} updated, {count_text(job.unchanged_count)} "
            "unchanged."
        )
    notify(
        [user],
        kind=NotificationKind.IMPORT_FINISHED,
        message=message[:300],
        url=job.get_absolute_url(),
    )


def _check(job: ImportJob) -> ImportJob:
    job.status = ImportStatus.VALIDATING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows"])
    progress = ProgressChannel(job.pk)
    try:
        sheet = build_sheet(job)
        result = execute(job, sheet, dry_run=True, actor=job.created_by, progress=progress)
        counts = store_results(job, result)
    except ImportFileError as error:
        fail(job, str(error))
        return job
    except Exception:
        logger.exception("Import %s: the check failed", job.pk)
        fail(job, "The file could not be checked because of an unexpected error.")
        return job
    finally:
        progress.close()
    record_counts(job, counts, len(sheet))
    if result.base_errors:
        job.status = ImportStatus.FAILED
        job.error_summary = "; ".join(result.base_errors)
    else:
        job.status = ImportStatus.READY
    job.checked_at = timezone.now()
    job.save(update_fields=[*COUNT_FIELDS, "status", "error_summary", "checked_at"])
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """The import: one transaction; every row re-validated against the data as it is now
    (rows to update are locked); any error and nothing is written."""
    job = ImportJob.objects.select_related("confirmed_by", "created_by").get(pk=job_id)
    if job.status != ImportStatus.RUNNING:
        return job
    actor = job.confirmed_by or job.created_by
    _run(job, actor)
    _tell_outcome(job, actor, checked=False)
    return job


def _run(job: ImportJob, actor: User | None) -> ImportJob:
    progress = ProgressChannel(job.pk)
    try:
        sheet = build_sheet(job)
        result = execute(job, sheet, dry_run=False, actor=actor, progress=progress)
    except ImportFileError as error:
        fail(job, f"Nothing was imported: {error}")
        return job
    except Exception:
        logger.exception("Import %s failed", job.pk)
        fail(job, "Nothing was imported: an unexpected error stopped the import.")
        return job
    finally:
        progress.close()
    counts = store_results(job, result)
    record_counts(job, counts, len(sheet))
    job.finished_at = timezone.now()
    if result.failed:
        job.status = ImportStatus.FAILED
        reasons = list(result.base_errors)
        if counts[RowAction.ERROR]:
            reasons.insert(
                0,
                f"{counts[RowAction.ERROR]} row{'s' if counts[RowAction.ERROR] != 1 else ''} "
                "failed the check at import time (the data changed since the dry run)",
            )
        job.error_summary = "Nothing was imported: " + "; ".join(reasons) + "."
    else:
        job.status = ImportStatus.DONE
        job.error_summary = ""
    job.save(update_fields=[*COUNT_FIELDS, "status", "error_summary", "finished_at"])
    return job
