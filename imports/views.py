from __future__ import annotations

import csv
import io
import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from core.generic import csv_response
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, may_import, may_open_import_job
from core.querysets import access
from core.scope import scope_for

from . import services
from .forms import ImportUploadForm
from .full_export import MODELS as FULL_EXPORT_MODELS
from .full_export import full_export_rows
from .models import ImportJob, ImportKind, ImportRow, RowAction
from .parsing import ImportFileError, human_size, read_table
from .resources import RESOURCES

ROWS_PER_PAGE = 50
LIST_URLS = {
    "customers": "customers:customer_list",
    "locations": "locations:location_list",
    "assets": "assets:asset_list",
    "usage": "billing:usagerecord_list",
    "contacts": "customers:contact_list",
    "contracts": "contracts:contract_list",
}
# Each kind's record page: the results of an import that ran link what it made or changed.
DETAIL_URLS = {
    "customers": "customers:customer_detail",
    "locations": "locations:location_detail",
    "assets": "assets:asset_detail",
    "contacts": "customers:contact_detail",
    "contracts": "contracts:contract_detail",
}
# The navigation section each kind's pages belong to (usage lives under Billing).
NAV_SECTIONS = {"usage": "billing", "contacts": "customers"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportKindMixin:
    """/imports/<kind>/…: customers, locations, assets or usage; anything else is a 404, a
    kind the user may not import (usage without billing rights) a 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_import(request.user, self.kind):
            raise PermissionDenied("Your role does not allow this import.")
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def kind(self) -> str:
        kind = self.kwargs["kind"]
        if kind not in RESOURCES:
            raise Http404("No such import")
        return kind

    @property
    def kind_label(self) -> str:
        return ImportKind(self.kind).label


class ImportUploadView(ConsoleAccessMixin, BreadcrumbsMixin, ImportKindMixin, FormView):
    required_capability = Capability.IMPORT_RECORDS
    template_name = "imports/import_upload.html"
    form_class = ImportUploadForm

    @property
    def nav_section(self) -> str:
        return NAV_SECTIONS.get(self.kind, self.kind)

    def get_breadcrumbs(self):
        return [(self.kind_label, reverse(LIST_URLS[self.kind])), ("Import", None)]

    def post(self, request, *args, **kwargs):
        # Refuse an oversized body before reading it (the form checks the file again).
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.IMPORT_MAX_BYTES + 1024 * 1024:
            form = self.get_form_class()(data={}, files={})
            form.is_valid()
            form.errors.clear()
            form.add_error(
                None,
                f"The file is about {human_size(length)}; the limit is "
                f"{human_size(settings.IMPORT_MAX_BYTES)}. Split it into smaller files.",
            )
            return self.form_invalid(form)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                kind=self.kind,
                data=upload.read(),
                file_name=upload.name,
                actor=self.request.user,
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        return redirect(job)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resource = RESOURCES[self.kind]
        context.update(
            kind=self.kind,
            full_export=self.kind in FULL_EXPORT_MODELS,
            title=f"Import {self.kind_label.lower()}",
            columns=resource.columns,
            list_url=reverse(LIST_URLS[self.kind]),
            max_size=human_size(settings.IMPORT_MAX_BYTES),
            max_rows=settings.IMPORT_MAX_ROWS,
            limited_to_assigned=scope_for(self.request.user).is_limited,
            recent_jobs=list(
                ImportJob.objects.visible_to(self.request.user)
                .filter(kind=self.kind)
                .defer("data")
                .select_related("created_by")[:10]
            ),
        )
        return context


class FullExportView(ConsoleAccessMixin, ImportKindMixin, View):
    """Every record of the kind the user can see, with every import column (custom fields
    and tags too), as CSV: import it unchanged and every row is unchanged."""

    required_capability = Capability.IMPORT_RECORDS

    def get(self, request, *args, **kwargs):
        if self.kind not in FULL_EXPORT_MODELS:
            raise Http404("No full export of this kind")
        header, rows = full_export_rows(self.kind, request)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")

        def with_header():
            yield header
            yield from rows

        return csv_response(f"{self.kind}-all-fields-{stamp}.csv", with_header())


class ImportTemplateView(ConsoleAccessMixin, ImportKindMixin, View):
    """The columns of a kind, with one example row, as CSV or Excel."""

    required_capability = Capability.IMPORT_RECORDS

    def get(self, request, *args, **kwargs):
        columns = RESOURCES[self.kind].columns
        header = [column.name for column in columns]
        example = [column.example for column in columns]
        name = f"{self.kind}-import-template"
        if kwargs["fmt"] == "csv":
            buffer = io.StringIO()
            buffer.write("\ufeff")
            writer = csv.writer(buffer)
            writer.writerow(header)
            writer.writerow(example)
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if kwargs["fmt"] == "xlsx":
            from openpyxl import Workbook
            from openpyxl.styles import Font

            workbook = Workbook()
            sheet = workbook.active
            sheet.title = self.kind.capitalize()
            sheet.append(header)
            sheet.append(example)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            buffer = io.BytesIO()
            workbook.save(buffer)
            response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        raise Http404("No such template")


class ImportJobMixin(ConsoleAccessMixin):
    """A job of this tenant: its importer may open it, admins and owners anyone's."""

    required_capability = Capability.IMPORT_RECORDS

    @cached_property
    def job(self) -> ImportJob:
        job = access(
            ImportJob.objects.defer("data").select_related("created_by", "confirmed_by"),
            scope_for(self.request.user),
            self.kwargs["pk"],
        )
        if not may_open_import_job(self.request.user, job):
            raise PermissionDenied("Only admins see other people's imports.")
        return job


class ImportJobView(ImportJobMixin, BreadcrumbsMixin, TemplateView):
    template_name = "imports/import_job.html"

    @property
    def nav_section(self) -> str:
        return NAV_SECTIONS.get(self.job.kind, self.job.kind)

    def get_breadcrumbs(self):
        job = self.job
        return [
            (job.get_kind_display(), reverse(LIST_URLS[job.kind])),
            ("Import", reverse("imports:import_upload", kwargs={"kind": job.kind})),
            (job.file_name, None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        show = self.request.GET.get("show", "")
        if show not in RowAction.values and show != "all":
            show = RowAction.ERROR if job.error_count else "all"
        rows = ImportRow.objects.filter(job=job)
        if show != "all":
            rows = rows.filter(action=show)
        page = None
        if not job.is_busy:
            page = Paginator(rows.order_by("line"), ROWS_PER_PAGE).get_page(
                self.request.GET.get("page")
            )
            detail = DETAIL_URLS.get(job.kind)
            for row in page.object_list:
                row.url = reverse(detail, args=[row.object_id]) if detail and row.object_id else ""
        context.update(
            job=job,
            title=str(job),
            page=page,
            show=show,
            filters=[
                ("error", "Errors", job.error_count),
                ("new", "New", job.new_count),
                ("update", "Update", job.update_count),
                ("unchanged", "Unchanged", job.unchanged_count),
                ("all", "All rows", job.total_rows),
            ],
            list_url=reverse(LIST_URLS[job.kind]),
        )
        return context


class ImportJobStatusView(ImportJobMixin, TemplateView):
    """The progress partial htmx polls; once the job settles, the whole page reloads."""

    template_name = "imports/partials/job_status.html"

    def get(self, request, *args, **kwargs):
        response = self.render_to_response({"job": self.job, "polling": True})
        was = request.GET.get("was", "")
        if was and was != self.job.status and not self.job.is_busy:
            response["HX-Refresh"] = "true"
        return response


class ImportJobConfirmView(ImportJobMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            services.import_job_confirm(job_id=self.job.pk, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(self.job)


class ImportJobErrorsView(ImportJobMixin, View):
    """The rows in error as a CSV to fix and upload again: the file's own columns, as typed,
    and an "Errors" column saying what to change (line numbers of the original file first)."""

    def get(self, request, pk):
        job = self.job
        if job.is_busy or not job.error_count:
            raise Http404("This import has no rows in error.")
        errors = dict(
            ImportRow.objects.filter(job=job, action=RowAction.ERROR).values_list(
                "line", "messages"
            )
        )
        data = ImportJob.objects.filter(pk=job.pk).values_list("data", flat=True).get()
        try:
            table = read_table(bytes(data), job.file_name)
        except ImportFileError as error:  # the stored file was readable when checked
            raise Http404(str(error)) from None

        def described(messages) -> str:
            return "; ".join(f"{column}: {text}" if column else text for column, text in messages)

        rows = [["Line", *table.headers, "Errors"]]
        rows += [
            [line, *row, described(errors[line])]
            for line, row in zip(table.lines, table.rows, strict=True)
            if line in errors
        ]
        stem = re.sub(r"[^\w.-]+", "-", job.file_name.rsplit(".", 1)[0])[:80].strip("-.")
        return csv_response(f"{stem or 'import'}-errors.csv", rows)
