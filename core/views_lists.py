"""The routes behind every console list's tools: the column chooser, saved views and bulk
changes (with their progress page). A list is named by its ``list_key``; what it shows and
what its rows are comes from its own view class (core.list_prefs registry), so the scope and
filters are the list's own."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView, View

from . import bulk, list_prefs
from .mixins import BreadcrumbsMixin, ConsoleAccessMixin
from .policies import Capability
from .redirects import local_path
from .scope import scope_for

CHANGED_LINKS_MAX = 50
FAILURES_SHOWN_MAX = 200


def _list_url(view_class) -> str:
    return reverse(view_class.list_route_name())


class ListToolView(ConsoleAccessMixin, View):
    """A POST about one list, answered by a redirect back to the list (``next``, a path of
    this site, else the list itself)."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        self.list_view_class = list_prefs.list_view_for(kwargs.get("list_key", ""))
        if "list_key" in kwargs and self.list_view_class is None:
            raise Http404("No such list.")
        return super().dispatch(request, *args, **kwargs)

    def back(self, fallback: str = "") -> HttpResponseRedirect:
        return HttpResponseRedirect(
            local_path(
                self.request,
                self.request.POST.get("next", ""),
                fallback or _list_url(self.list_view_class),
            )
        )

    def list_view(self, query: str = ""):
        """The list's own view, set up for ``query`` (its filters), to read its table and rows
        exactly as the list page does."""
        request = copy.copy(self.request)
        request.GET = QueryDict(query)
        request.method = "GET"
        view = self.list_view_class()
        view.setup(request)
        return view

    def table(self):
        view = self.list_view()
        return view.get_table(view.get_queryset().none())


class ListColumnsView(ListToolView):
    """Keep the columns the user ticked, in the order given, for this list."""

    def post(self, request, list_key: str):
        columns = request.POST.getlist("columns")
        if request.POST.get("reset"):
            columns = []
        try:
            list_prefs.list_columns_set(
                user=request.user, list_key=list_key, table=self.table(), columns=columns
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return self.back()


class SavedViewCreateView(ListToolView):
    """Save the list as shown (its filters and sort, and the columns shown) under a name."""

    def post(self, request, list_key: str):
        query = request.POST.get("query", "")
        view = self.list_view(query)
        table = view.get_table(view.get_queryset().none())
        preference = list_prefs.preference_of(request.user, list_key)
        chosen = list_prefs.clean_columns(
            table, request.POST.getlist("columns") or (preference.columns if preference else [])
        )
        try:
            saved = list_prefs.saved_view_create(
                owner=request.user,
                list_key=list_key,
                name=request.POST.get("name", ""),
                query=query,
                columns=chosen,
                shared=bool(request.POST.get("shared")),
                make_default=bool(request.POST.get("make_default")),
            )
        except ValidationError as error:
            messages.error(request, "The view was not saved: " + " ".join(error.messages))
            return self.back()
        messages.success(request, f"Saved the view “{saved.name}”.")
        separator = "&" if saved.query else ""
        return redirect(
            f"{_list_url(self.list_view_class)}?{saved.query}{separator}view={saved.pk}"
        )


class SavedViewActionView(ListToolView):
    """Delete one's own saved view, or make a view (one's own or a shared one) the default."""

    action = "delete"

    def post(self, request, pk: int):
        saved = list_prefs.view_for(request.user, pk, own=self.action == "delete")
        if saved is None:
            raise Http404("No such view.")
        self.list_view_class = list_prefs.list_view_for(saved.list_key)
        if self.list_view_class is None:
            raise Http404("No such list.")
        list_url = _list_url(self.list_view_class)
        if self.action == "delete":
            list_prefs.saved_view_delete(user=request.user, view=saved)
            messages.success(request, f"Deleted the view “{saved.name}”.")
            return redirect(list_url)
        unset = bool(request.POST.get("unset"))
        list_prefs.saved_view_make_default(
            user=request.user, view=None if unset else saved, list_key=saved.list_key
        )
        messages.success(
            request,
            "The list opens without a saved view now."
            if unset
            else f"The list opens with “{saved.name}” now.",
        )
        return self.back()


class BulkActionView(ListToolView):
    """Start a bulk change on the rows ticked on the page, or on every row the list's filters
    match ("all N matching"); then show its progress and summary."""

    required_capability = Capability.EDIT_RECORDS

    def post(self, request, list_key: str):
        actions = {action.key: action for action in self.list_view_class.bulk_actions}
        action = actions.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "Nothing was changed: choose a bulk action.")
            return self.back()
        if request.POST.get("select") == "all":
            view = self.list_view(request.POST.get("query", ""))
            rows = view.get_filterset().qs.order_by().values_list("pk", flat=True)
            ids = list(rows[: bulk.SELECT_ALL_MAX + 1])
        else:
            ids = [value for value in request.POST.getlist("ids") if value.isdigit()]
        try:
            job = bulk.bulk_job_start(
                actor=request.user,
                list_key=list_key,
                action=action,
                record_ids=ids,
                value=request.POST.get("value", ""),
            )
        except ValidationError as error:
            messages.error(request, "Nothing was changed: " + " ".join(error.messages))
            return self.back()
        return redirect("lists:bulk_job", pk=job.pk)


class BulkJobView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """A bulk change's progress (the page polls its status part while it runs) and summary:
    links to the rows changed, and the rows that were not with the reason."""

    template_name = "core/job_page.html"
    status_template_name = "core/_bulk_job_status.html"
    extra_context = {"status_template": status_template_name}

    def get(self, request, *args, **kwargs):
        job = bulk.job_for(request.user, kwargs["pk"])
        if job is None:
            raise Http404("No such bulk change.")
        context = self.get_context_data(job=job, **self.summary(job))
        if request.htmx and request.htmx.target == "bulk-status":
            return self.response_class(request, self.status_template_name, context)
        return self.render_to_response(context)

    def summary(self, job) -> dict:
        view_class = list_prefs.list_view_for(job.list_key)
        changed = []
        list_url = ""
        if view_class is not None:
            list_url = _list_url(view_class)
            if job.state == job.State.DONE and job.changed_ids:
                model = view_class.model
                visible = model.objects.restrict(scope_for(self.request.user), "view")
                changed = list(visible.filter(pk__in=job.changed_ids[:CHANGED_LINKS_MAX]))
        return {
            "changed": changed,
            "more_changed": max(0, len(job.changed_ids) - len(changed)),
            "failures": job.failures[:FAILURES_SHOWN_MAX],
            "list_url": list_url,
            "title": job.description,
        }

    def get_breadcrumbs(self):
        return [("Bulk change", None)]
