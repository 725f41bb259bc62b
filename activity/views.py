"""The console's activity: the customer page's Activity tab, the timeline panels of the
location and asset pages, the forms that add and edit entries, ticking tasks done (htmx) and
"My tasks". Records and entries come through the policy layer (``access``); writes go
through activity.services."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from assets.panels import AssetPanel
from core.forms import add_service_errors
from core.generic import ObjectDetailView
from core.history import HistorySource
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access
from core.redirects import local_path
from core.scope import scope_for
from customers.history import customer_history_sources
from customers.views.detail import CustomerPageMixin
from locations.views import LocationPanel

from . import services
from .forms import FORMS, CallForm, NoteForm, TaskForm
from .models import TIMELINE_FILTERS, Entry, EntryKind
from .timeline import timeline_page
from .urls_helpers import record_url


def history_sources_of(record) -> list[HistorySource]:
    """The changes a record's timeline shows: a customer's as its History tab shows them
    (with its locations', assets', projects'...), a location's or asset's own."""
    if record._meta.model_name == "customer":
        return customer_history_sources(record)
    return [HistorySource("", type(record), record.history.all())]


def timeline_context(request, record, *, record_type: str) -> dict:
    """The timeline of one record, its filters and (for those who may write) the add forms."""
    scope = scope_for(request.user)
    deleted = getattr(record, "deleted_at", None) is not None
    entries = Entry.objects.restrict(scope, include_deleted=deleted)
    entries = (
        entries.around_customer(record) if record_type == "customer" else entries.of_record(record)
    )
    page = timeline_page(
        entries=entries,
        history_sources=history_sources_of(record),
        record=record,
        filter_key=request.GET.get("activity", "all"),
        cursor=request.GET.get("activity-cursor", ""),
    )
    can_edit = user_can(request.user, Capability.EDIT_RECORDS) and not deleted
    customer = services.customer_of(record)
    now = timezone.localtime().replace(second=0, microsecond=0)
    forms = {}
    if can_edit:
        forms = {
            "note": NoteForm(auto_id="id_note_%s"),
            "call": CallForm(customer=customer, initial={"occurred_at": now}, auto_id="id_call_%s"),
            "task": TaskForm(
                initial={"assignee": request.user.pk, "due_date": now.date()},
                auto_id="id_task_%s",
            ),
        }
    return {
        "page": page,
        "filters": [(key, label) for key, (label, _) in TIMELINE_FILTERS.items()],
        "record": record,
        "record_type": record_type,
        "forms": forms,
        "can_edit": can_edit,
        "can_manage": user_can(request.user, Capability.MANAGE_RECORDS),
        "today": timezone.localdate(),
    }


class CustomerActivityView(CustomerPageMixin, ObjectDetailView):
    """The customer page's Activity tab (registered in ActivityConfig.ready)."""

    template_name = "activity/customer_activity.html"
    tab = "activity"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timeline"] = timeline_context(self.request, self.object, record_type="customer")
        return context


class LocationActivityPanel(LocationPanel):
    template_name = "activity/_timeline.html"
    order = 150

    def get_context_data(self) -> dict:
        return timeline_context(self.request, self.object, record_type="location")


class AssetActivityPanel(AssetPanel):
    template_name = "activity/_timeline.html"
    order = 150

    def get_context_data(self) -> dict:
        return timeline_context(self.request, self.object, record_type="asset")


def _next_url(request, fallback: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    return local_path(request, wanted, fallback)


class EntryFormView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    """A form that writes through a service; its errors land on the form (a clear message,
    nothing written)."""

    required_capability = Capability.EDIT_RECORDS
    template_name = "activity/entry_form.html"
    submit_label = "Save"

    def form_valid(self, form):
        try:
            entry = self.save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message(entry))
        return redirect(_next_url(self.request, record_url(entry.record)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title, submit_label=self.submit_label, cancel_url=self.cancel_url()
        )
        return context


class EntryAddView(EntryFormView):
    """Add a note, a call or meeting, or a task to a customer, location or asset."""

    submit_label = "Add"
    nav_section = ""

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in FORMS:
            raise Http404("No such kind of entry.")
        if request.user.is_authenticated and user_can(request.user, self.required_capability):
            self.record = services.record_within_scope(
                actor=request.user, record_type=kwargs["record_type"], record_id=kwargs["record_id"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return FORMS[self.kwargs["kind"]]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.kwargs["kind"] == "call":
            kwargs["customer"] = services.customer_of(self.record)
        return kwargs

    def get_initial(self):
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {"occurred_at": now, "due_date": now.date(), "assignee": self.request.user.pk}

    @property
    def title(self) -> str:
        label = {"note": "a note", "call": "a call or meeting", "task": "a task"}
        return f"Add {label[self.kwargs['kind']]} to {self.record}"

    def cancel_url(self) -> str:
        return record_url(self.record)

    def get_breadcrumbs(self):
        return [(str(self.record), record_url(self.record)), (self.title, None)]

    def save(self, data) -> Entry:
        common = {
            "actor": self.request.user,
            "record_type": self.kwargs["record_type"],
            "record_id": self.record.pk,
            "shared_with_portal": data["shared_with_portal"],
        }
        kind = self.kwargs["kind"]
        if kind == "note":
            return services.note_create(**common, body=data["body"])
        if kind == "call":
            return services.call_log(
                **common,
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                duration_minutes=data["duration_minutes"],
                contact_id=data["contact"].pk if data["contact"] else None,
                outcome=data["outcome"],
                title=data["title"],
                body=data["body"],
            )
        return services.task_create(
            **common,
            title=data["title"],
            assignee_id=data["assignee"].pk,
            due_date=data["due_date"],
            remind_at=data["remind_at"],
            body=data["body"],
        )

    def success_message(self, entry) -> str:
        return f"{entry.get_kind_display()} added."


class EntryAccessMixin:
    """The entry in the URL, within the asker's reach for ``scope_action``."""

    scope_action = "change"

    def get_entry(self) -> Entry:
        if not hasattr(self, "_entry"):
            self._entry = access(
                Entry.objects.select_related("customer", "location", "asset", "assignee"),
                scope_for(self.request.user),
                self.kwargs["pk"],
                self.scope_action,
            )
        return self._entry

    def may_rewrite(self) -> bool:
        """Editing or deleting a note, call or meeting: its author or an admin. A task is
        edited by anyone who may edit records (it is reassigned, rescheduled)."""
        entry = self.get_entry()
        return (
            (entry.is_task and self.action != "delete")
            or entry.author_id == self.request.user.pk
            or user_can(self.request.user, Capability.MANAGE_RECORDS)
        )


class EntryUpdateView(EntryAccessMixin, EntryFormView):
    action = "edit"

    def dispatch(self, request, *args, **kwargs):
        allowed = request.user.is_authenticated and user_can(request.user, self.required_capability)
        if allowed and not self.may_rewrite():
            raise PermissionDenied("Only its author or an admin may edit this entry.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        kind = self.get_entry().kind
        return {EntryKind.NOTE: NoteForm, EntryKind.TASK: TaskForm}.get(kind, CallForm)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.get_form_class() is CallForm:
            kwargs["customer"] = services.customer_of(self.get_entry().record)
        return kwargs

    def get_initial(self):
        entry = self.get_entry()
        initial = {
            name: getattr(entry, name)
            for name in (
                "body", "shared_with_portal", "kind", "duration_minutes", "outcome", "title",
                "due_date", "assignee", "contact",
            )
        }  # fmt: skip
        initial["occurred_at"] = timezone.localtime(entry.occurred_at)
        initial["remind_at"] = entry.remind_at and timezone.localtime(entry.remind_at)
        return initial

    @property
    def title(self) -> str:
        entry = self.get_entry()
        return f"Edit the {entry.get_kind_display().lower()} on {entry.record}"

    def cancel_url(self) -> str:
        return record_url(self.get_entry().record)

    def get_breadcrumbs(self):
        record = self.get_entry().record
        return [(str(record), record_url(record)), ("Edit", None)]

    def save(self, data) -> Entry:
        entry, actor = self.get_entry(), self.request.user
        if entry.kind == EntryKind.NOTE:
            return services.note_update(
                actor=actor,
                entry_id=entry.pk,
                body=data["body"],
                shared_with_portal=data["shared_with_portal"],
            )
        if entry.is_task:
            return services.task_update(
                actor=actor,
                entry_id=entry.pk,
                data={
                    "title": data["title"],
                    "assignee_id": data["assignee"].pk,
                    "due_date": data["due_date"],
                    "remind_at": data["remind_at"],
                    "body": data["body"],
                    "shared_with_portal": data["shared_with_portal"],
                },
            )
        return services.call_update(
            actor=actor,
            entry_id=entry.pk,
            data={
                "kind": data["kind"],
                "occurred_at": data["occurred_at"],
                "duration_minutes": data["duration_minutes"],
                "contact_id": data["contact"].pk if data["contact"] else None,
                "outcome": data["outcome"],
                "title": data["title"],
                "body": data["body"],
                "shared_with_portal": data["shared_with_portal"],
            },
        )

    def success_message(self, entry) -> str:
        return f"{entry.get_kind_display()} saved."


class EntryDeleteView(EntryAccessMixin, ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    template_name = "core/confirm_action.html"
    required_capability = Capability.EDIT_RECORDS
    action = "delete"

    def dispatch(self, request, *args, **kwargs):
        allowed = request.user.is_authenticated and user_can(request.user, self.required_capability)
        if allowed and not self.may_rewrite():
            raise PermissionDenied("Only its author or an admin may delete this entry.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.get_entry()
        context.update(
            object=entry,
            verb="Delete",
            button_class="btn-danger",
            explanation=f"The {entry.get_kind_display().lower()} leaves the timeline "
            "(and the portal, if it was shared); its history stays.",
        )
        return context

    def post(self, request, *args, **kwargs):
        entry = self.get_entry()
        back = record_url(entry.record)
        services.entry_delete(actor=request.user, entry_id=entry.pk)
        messages.success(request, f"{entry.get_kind_display()} deleted.")
        return redirect(back)


class EntryStateView(EntryAccessMixin, ConsoleAccessMixin, View):
    """POST only: tick a task done or undone, share an entry or stop sharing it. An htmx
    request gets the task's row back (My tasks, the timeline); others go back."""

    required_capability = Capability.EDIT_RECORDS
    action = ""  # "complete", "reopen", "share", "unshare"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        entry = self.get_entry()
        try:
            if self.action == "complete":
                entry = services.task_complete(actor=request.user, entry_id=entry.pk)
            elif self.action == "reopen":
                entry = services.task_reopen(actor=request.user, entry_id=entry.pk)
            else:
                entry = services.entry_set_shared(
                    actor=request.user, entry_id=entry.pk, shared=self.action == "share"
                )
        except ValidationError as error:
            if request.headers.get("HX-Request"):
                return render(
                    request, "activity/_error.html", {"message": " ".join(error.messages)},
                    status=400,
                )  # fmt: skip
            messages.error(request, " ".join(error.messages))
            return redirect(_next_url(request, record_url(entry.record)))
        if request.headers.get("HX-Request"):
            entry = Entry.objects.for_timeline().get(pk=entry.pk)
            return render(
                request,
                "activity/_task_row.html",
                {"task": entry, "today": timezone.localdate(), "can_edit": True},
            )
        labels = {
            "complete": "Task done.",
            "reopen": "Task reopened.",
            "share": "Shared with the company.",
            "unshare": "No longer shared with the company.",
        }
        messages.success(request, labels[self.action])
        return redirect(_next_url(request, record_url(entry.record)))


def my_open_tasks(user):
    """The open tasks assigned to ``user`` within their scope, by due date."""
    return (
        Entry.objects.visible_to(user)
        .open_tasks()
        .filter(assignee=user)
        .for_timeline()
        .order_by("due_date", "id")
    )


MY_TASKS_LIMIT = 200


class MyTasksView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """Open tasks assigned to me: overdue first, then due today, then upcoming; ticked done
    inline. Recently done ones (7 days) are listed below to undo a slip."""

    template_name = "activity/my_tasks.html"
    nav_section = "tasks"
    breadcrumbs = [("My tasks", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        tasks = list(my_open_tasks(self.request.user)[: MY_TASKS_LIMIT + 1])
        done = list(
            Entry.objects.visible_to(self.request.user)
            .tasks()
            .filter(
                assignee=self.request.user,
                completed_at__gte=timezone.now() - datetime.timedelta(days=7),
            )
            .for_timeline()
            .order_by("-completed_at", "-id")[:20]
        )
        context.update(
            groups=[
                ("overdue", "Overdue", [t for t in tasks if t.due_date < today]),
                ("today", "Due today", [t for t in tasks if t.due_date == today]),
                ("upcoming", "Upcoming", [t for t in tasks if t.due_date > today]),
            ],
            truncated=len(tasks) > MY_TASKS_LIMIT,
            done=done,
            today=today,
            can_edit=user_can(self.request.user, Capability.EDIT_RECORDS),
        )
        return context
