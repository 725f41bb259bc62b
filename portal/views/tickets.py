"""Support in the portal: the company's tickets (for users who may see them), opening one with
files, a ticket's public thread (internal notes never reach it) and replying to it (for users
who may open tickets). The company in the URL bounds everything: another company's ticket is
the same 404 as one that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView, View

from core.forms import add_service_errors
from core.querysets import access
from core.scope import scope_for
from documents.downloads import stored_file_response
from portal.models import PortalPermission
from tickets import services
from tickets.forms import PortalTicketForm, ReplyForm
from tickets.models import Attachment, Ticket
from tickets.querysets import OPEN_STATUSES
from tickets.views import thread_of

from .base import PortalMixin

PER_PAGE = 25
TOO_LARGE = "A file is larger than the limit: nothing was sent."


def company_tickets(user, company):
    return Ticket.objects.restrict(scope_for(user)).filter(customer=company)


class TicketsView(PortalMixin, TemplateView):
    template_name = "portal/tickets.html"
    section = "tickets"
    required_permission = PortalPermission.VIEW_TICKETS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        showing = "closed" if self.request.GET.get("show") == "closed" else "open"
        tickets = company_tickets(self.request.user, self.company).select_related("requester")
        tickets = (
            tickets.filter(status__in=OPEN_STATUSES)
            if showing == "open"
            else tickets.exclude(status__in=OPEN_STATUSES)
        )
        context.update(
            showing=showing,
            tickets=Paginator(tickets.order_by("-last_activity_at", "-id"), PER_PAGE).get_page(
                self.request.GET.get("page")
            ),
            can_open=self.scope_can_open(),
        )
        return context

    def scope_can_open(self) -> bool:
        return scope_for(self.request.user).portal_can(PortalPermission.OPEN_TICKETS)


class TicketOpenView(PortalMixin, FormView):
    template_name = "portal/ticket_form.html"
    section = "tickets"
    required_permission = PortalPermission.OPEN_TICKETS
    form_class = PortalTicketForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        scope = scope_for(self.request.user)
        kwargs.update(
            company=self.company,
            can_see_locations=scope.portal_can(PortalPermission.VIEW_LOCATIONS),
            can_see_assets=scope.portal_can(PortalPermission.VIEW_ASSETS),
        )
        return kwargs

    def form_valid(self, form):
        if getattr(self.request, "upload_too_large", False):
            form.add_error("files", TOO_LARGE)
            return self.form_invalid(form)
        data = form.cleaned_data
        try:
            ticket = services.ticket_open(
                actor=self.request.user,
                customer_id=self.company.pk,
                subject=data["subject"],
                description=data["description"],
                category=data["category"],
                priority=data["priority"],
                asset_id=data.get("asset"),
                location_id=data.get("location"),
                files=data["files"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Thank you: we received {ticket.reference} and will answer you here."
        )
        return redirect(ticket.portal_url())


class TicketView(PortalMixin, TemplateView):
    """A ticket's public thread and, for users who may, the reply form."""

    template_name = "portal/ticket_detail.html"
    section = "tickets"
    required_permission = PortalPermission.VIEW_TICKETS

    def get_ticket(self) -> Ticket:
        return access(
            company_tickets(self.request.user, self.company).select_related(
                "requester", "opened_by", "asset", "location"
            ),
            scope_for(self.request.user),
            self.kwargs["tid"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = kwargs.get("ticket") or self.get_ticket()
        thread, opening = thread_of(ticket, public_only=True)
        can_reply = scope_for(self.request.user).portal_can(PortalPermission.OPEN_TICKETS)
        context.update(
            ticket=ticket,
            thread=thread,
            opening_files=opening,
            portal_company=self.company,
            can_reply=can_reply and ticket.status != "closed" and not ticket.merged_into_id,
            can_rate=ticket.status in ("resolved", "closed")
            and ticket.rated_at is None
            and ticket.requester_id == self.request.user.pk,
        )
        if context["can_reply"]:
            context.setdefault("reply_form", ReplyForm())
        return context

    def post(self, request, *args, **kwargs):
        if not scope_for(request.user).portal_can(PortalPermission.OPEN_TICKETS):
            raise PermissionDenied("Your role does not include answering tickets.")
        ticket = self.get_ticket()
        form = ReplyForm(request.POST, request.FILES)
        if getattr(request, "upload_too_large", False):
            form.add_error("files", TOO_LARGE)
        elif form.is_valid():
            try:
                services.ticket_reply(
                    actor=request.user,
                    ticket_id=ticket.pk,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Your reply was sent.")
                return redirect(ticket.portal_url())
        context = self.get_context_data(ticket=ticket, reply_form=form, **kwargs)
        context["can_reply"] = True
        return self.render_to_response(context, status=400)


class TicketAttachmentView(PortalMixin, View):
    required_permission = PortalPermission.VIEW_TICKETS

    def get(self, request, *args, **kwargs):
        tickets = company_tickets(request.user, self.company).filter(pk=kwargs["tid"])
        attachment = access(
            Attachment.objects.public().filter(ticket__in=tickets.values("pk")),
            scope_for(request.user),
            kwargs["aid"],
        )
        return stored_file_response(
            attachment.file.name,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
