"""The console's service desk: the queue (a list with filters and saved views), a ticket's page
(its thread, reply or note, status, assignment, merge), opening a ticket on a company's behalf,
an attachment's download and the customer page's Tickets tab. Tickets come through the scope
(``restrict``/``access``); writes go through tickets.services, whose errors come back on the
page's own form with nothing written."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, View

from activity.markdown import staff_users
from core.forms import add_service_errors
from core.generic import ObjectDetailView, ObjectListView
from core.history import history_page
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access, parse_id
from core.scope import scope_for
from customers.views.detail import CustomerChildrenView
from documents.downloads import stored_file_response

from . import merging, services, sla, time_log
from .filters import TicketFilterSet
from .forms import (
    ConsoleTicketForm,
    MergeForm,
    StaffReplyForm,
    StatusForm,
    TicketUpdateForm,
    TimeEntryForm,
)
from .models import Attachment, InboundEmail, Message, Ticket
from .models_sla import CustomerSla, SlaPolicy
from .tables import TicketTable


def thread_of(ticket: Ticket, *, public_only: bool) -> tuple[list, list]:
    """The ticket's messages (with their files) and the files of its description: two
    queries whatever the thread's length."""
    messages_ = Message.objects.filter(ticket=ticket).select_related("author")
    files = Attachment.objects.filter(ticket=ticket).order_by("uploaded_at", "pk")
    if public_only:
        messages_ = messages_.public()
        files = files.public()
    thread = list(messages_.prefetch_related(Prefetch("attachments", queryset=files)))
    opening = [f for f in files if f.message_id is None]
    return thread, opening


class TicketListView(ObjectListView):
    template_name = "tickets/ticket_list.html"
    model = Ticket
    filterset_class = TicketFilterSet
    table_class = TicketTable
    export_name = "tickets"
    add_url_name = "tickets:ticket_create"
    # A queue grows by millions: counted up to the cap ("1,000+") even unfiltered.
    always_cap_count = True
    nav_section = "tickets"
    breadcrumbs = [("Tickets", None)]

    def get_queryset(self):
        return self.scoped().for_queue()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = self.scope
        if scope.can(Capability.EDIT_RECORDS) and not scope.is_limited:
            context["triage_count"] = InboundEmail.objects.restrict(scope).in_triage().count()
        return context


class TicketDetailView(ObjectDetailView):
    model = Ticket
    template_name = "tickets/ticket_detail.html"
    context_object_name = "ticket"
    nav_section = "tickets"
    include_deleted = False

    def get_queryset(self):
        return self.scoped().select_related(
            "customer",
            "requester",
            "assignee",
            "opened_by",
            "asset",
            "location",
            "merged_into",
            "sla_policy",
        )

    def get_breadcrumbs(self):
        return [("Tickets", reverse("tickets:ticket_list")), (self.object.reference, None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.object
        thread, opening = thread_of(ticket, public_only=False)
        originals = dict(
            InboundEmail.objects.filter(Q(ticket=ticket) | Q(message__ticket=ticket)).values_list(
                "message_id", "pk"
            )
        )
        for message in thread:
            message.original_email_id = originals.get(message.pk)
        page, entries = history_page(Ticket, ticket.history.all(), self.request.GET.get("page"))
        time_entries = list(ticket.time_entries.select_related("user"))
        can_edit = user_can(self.request.user, Capability.EDIT_RECORDS)
        if can_edit:
            assignees = services.reaching(
                staff_users().order_by("first_name", "last_name", "email"), ticket.customer_id
            )
            context.setdefault("reply_form", StaffReplyForm())
            context.setdefault(
                "update_form",
                TicketUpdateForm(
                    assignees=assignees,
                    initial={
                        "priority": ticket.priority,
                        "category": ticket.category,
                        "assignee": ticket.assignee_id,
                    },
                ),
            )
            context.setdefault("status_form", StatusForm(initial={"status": ticket.status}))
            context.setdefault("merge_form", MergeForm())
            context.setdefault("time_form", TimeEntryForm())
        context.update(
            thread=thread,
            opening_files=opening,
            page_obj=page,
            entries=entries,
            can_edit=can_edit,
            merged=list(ticket.merged.only("pk", "subject")),
            original_email_id=originals.get(None),
            clocks=sla.clocks_of(ticket, timezone.now()),
            time_entries=time_entries,
            time_total=sum(entry.minutes for entry in time_entries),
            can_manage=user_can(self.request.user, Capability.MANAGE_RECORDS),
        )
        return context


class TicketActionView(TicketDetailView):
    """A POST on a ticket's page (reply, update, status, merge): the service's errors come
    back on that form, the page otherwise as it was."""

    required_capability = Capability.EDIT_RECORDS
    scope_action = "change"
    form_class = None
    context_name = ""
    success_message = ""

    http_method_names = ["post"]

    def get_form(self):
        return self.form_class(self.request.POST, self.request.FILES)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        if getattr(request, "upload_too_large", False):
            form.add_error(None, "A file is larger than the limit: nothing was saved.")
        elif form.is_valid():
            try:
                result = self.act(form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url(result))
        return self.render_to_response(
            self.get_context_data(**{self.context_name: form}), status=400
        )

    def success_url(self, result) -> str:
        return self.object.get_absolute_url()

    def act(self, data: dict):
        raise NotImplementedError


class TicketReplyView(TicketActionView):
    form_class = StaffReplyForm
    context_name = "reply_form"
    success_message = "Your reply was added."

    def act(self, data):
        message = services.ticket_reply(
            actor=self.request.user,
            ticket_id=self.object.pk,
            body=data["body"],
            internal=data["internal"],
            status=data["status"],
            files=data["files"],
        )
        self.success_message = "Note added." if message.is_internal else "Reply sent."
        return message


class TicketUpdateView(TicketActionView):
    context_name = "update_form"
    success_message = "Ticket updated."

    def get_form(self):
        assignees = staff_users()
        return TicketUpdateForm(self.request.POST, assignees=assignees)

    def act(self, data):
        return services.ticket_update(
            actor=self.request.user,
            ticket_id=self.object.pk,
            data={
                "priority": data["priority"],
                "category": data["category"],
                "assignee_id": data["assignee"],
            },
        )


class TicketStatusView(TicketActionView):
    form_class = StatusForm
    context_name = "status_form"
    success_message = "Status changed."

    def act(self, data):
        return services.ticket_set_status(
            actor=self.request.user,
            ticket_id=self.object.pk,
            status=data["status"],
            reason=data["reason"],
        )


class TicketMergeView(TicketActionView):
    form_class = MergeForm
    context_name = "merge_form"

    def act(self, data):
        target = merging.ticket_merge(
            actor=self.request.user, ticket_id=self.object.pk, into_id=data["into"]
        )
        self.success_message = f"{self.object.reference} was merged into {target.reference}."
        return target

    def success_url(self, result) -> str:
        return result.get_absolute_url()


class TicketLogTimeView(TicketActionView):
    form_class = TimeEntryForm
    context_name = "time_form"
    success_message = "Time logged."

    def act(self, data):
        return time_log.ticket_log_time(
            actor=self.request.user,
            ticket_id=self.object.pk,
            minutes=data["spent"],
            work_date=data["work_date"],
            note=data["note"],
        )


class TimeEntryDeleteView(TicketDetailView):
    """Remove a time entry of this ticket (one's own, or any for managers)."""

    required_capability = Capability.EDIT_RECORDS
    scope_action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        entry = self.object.time_entries.filter(pk=parse_id(kwargs["eid"])).first()
        if entry is None:
            raise Http404("No such record.")
        try:
            time_log.time_entry_delete(actor=request.user, entry_id=entry.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Time entry removed.")
        return redirect(self.object.get_absolute_url() + "#time-heading")


class TicketCreateView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    required_capability = Capability.EDIT_RECORDS
    template_name = "tickets/ticket_form.html"
    form_class = ConsoleTicketForm
    nav_section = "tickets"

    def get_breadcrumbs(self):
        return [("Tickets", reverse("tickets:ticket_list")), ("Open a ticket", None)]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        customer = self.request.GET.get("customer", "")
        return {"customer": customer} if customer.isdigit() else {}

    def form_valid(self, form):
        if getattr(self.request, "upload_too_large", False):
            form.add_error("files", "A file is larger than the limit: nothing was saved.")
            return self.form_invalid(form)
        data = form.cleaned_data
        try:
            ticket = services.ticket_open(
                actor=self.request.user,
                customer_id=data["customer"].pk,
                subject=data["subject"],
                description=data["description"],
                category=data["category"],
                priority=data["priority"],
                requester_email=data["requester_email"],
                files=data["files"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Ticket {ticket.reference} opened.")
        return redirect(ticket.get_absolute_url())


class AttachmentDownloadView(ConsoleAccessMixin, View):
    def get(self, request, pk, aid):
        attachment = access(Attachment.objects.filter(ticket_id=pk), scope_for(request.user), aid)
        return stored_file_response(
            attachment.file.name,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


class CustomerTicketsView(CustomerChildrenView):
    """The customer page's Tickets tab (registered in TicketsConfig.ready), with the
    company's service level (admins choose it)."""

    template_name = "tickets/customer_tickets.html"
    tab = "tickets"
    child_model = Ticket
    table_class = TicketTable
    list_url_name = "tickets:ticket_list"
    filter_param = "status=all&customer_id"
    empty_text = "No tickets yet."

    def get_children(self, queryset):
        return queryset.filter(customer_id__in=self.scope_ids).for_queue()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context.get("can_edit") and self.object.deleted_at is None:
            context.update(
                add_url=f"{reverse('tickets:ticket_create')}?customer={self.object.pk}",
                add_label="Open a ticket",
            )
        policies = list(SlaPolicy.objects.restrict(self.scope))
        context.update(
            policies=policies,
            default_policy=next((p for p in policies if p.is_default), None),
            own_policy=CustomerSla.objects.filter(customer=self.object).first(),
            can_manage=self.scope.can(Capability.MANAGE_RECORDS),
        )
        return context
