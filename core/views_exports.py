"""Big list exports (core.exports): the offer a list shows instead of streaming more than
INLINE_MAX rows, the start of the job, its progress page and its file."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.generic import TemplateView, View

from . import exports
from .mixins import BreadcrumbsMixin, ConsoleAccessMixin
from .redirects import local_path
from .views_lists import ListToolView, _list_url


def export_offer(view, file_format: str) -> TemplateResponse:
    """What a list answers to ?export= when its rows are too many to stream: a page saying so,
    with the button that queues the export (a POST: a GET never starts work)."""
    query = view.request.GET.copy()
    query.pop("export", None)
    meta = view.model._meta
    return TemplateResponse(
        view.request,
        "core/export_offer.html",
        {
            "title": f"Export {meta.verbose_name_plural}",
            "format_label": exports.FORMATS[file_format][0],
            "file_format": file_format,
            "inline_max": exports.INLINE_MAX,
            "list_key": view.list_key,
            "query": query.urlencode(),
            "list_url": f"{view.request.path}?{query.urlencode()}" if query else view.request.path,
            "breadcrumbs": [(str(meta.verbose_name_plural).capitalize(), view.request.path)]
            + [("Export", None)],
            "nav_section": getattr(view, "nav_section", ""),
        },
    )


class ExportStartView(ListToolView):
    """Queue a big export of the list with the filters it was showing."""

    def post(self, request, list_key: str):
        try:
            job = exports.export_job_start(
                actor=request.user,
                list_key=list_key,
                query=request.POST.get("query", ""),
                file_format=request.POST.get("format", ""),
            )
        except ValidationError as error:
            messages.error(request, "Nothing was exported: " + " ".join(error.messages))
            return self.back()
        return redirect(job.get_absolute_url())


class ExportJobMixin(ConsoleAccessMixin):
    def job(self) -> exports.ExportJob:
        job = exports.job_for(self.request.user, self.kwargs["pk"])
        if job is None:
            raise Http404("No such export.")
        return job


class ExportJobView(ExportJobMixin, BreadcrumbsMixin, TemplateView):
    """The export's progress (the page polls its status part while it runs), then its file."""

    template_name = "core/job_page.html"
    status_template_name = "core/_export_job_status.html"
    extra_context = {"status_template": status_template_name}

    def get(self, request, *args, **kwargs):
        job = self.job()
        view_class = exports.list_prefs.list_view_for(job.list_key)
        list_url = _list_url(view_class) if view_class is not None else ""
        if job.query and list_url:
            list_url = f"{list_url}?{job.query}"
        context = self.get_context_data(job=job, list_url=list_url, title=job.title)
        if request.htmx and request.htmx.target == "export-status":
            return self.response_class(request, self.status_template_name, context)
        return self.render_to_response(context)

    def get_breadcrumbs(self):
        return [("Export", None)]


class ExportDownloadView(ExportJobMixin, View):
    def get(self, request, *args, **kwargs):
        job = self.job()
        if job.state != exports.ExportJob.State.DONE:
            messages.info(request, "The export is not ready yet.")
            return redirect(local_path(request, job.get_absolute_url(), "/"))
        data = exports.ExportJob.objects.filter(pk=job.pk).values_list("data", flat=True).get()
        response = HttpResponse(bytes(data), content_type=job.content_type)
        response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
        return response
