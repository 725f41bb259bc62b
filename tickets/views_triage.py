"""Triage: support mail whose sender matched no company (or several). Staff who see every
customer open a ticket of the right company from it, or discard it; and anyone who may see a
ticket downloads the email it came from, as it arrived."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView, View

from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for
from customers.forms import CustomerChoiceField
from documents.downloads import stored_file_response

from . import inbound
from .models import InboundEmail, Ticket

PER_PAGE = 20


def triage_form(user, data=None, prefix="") -> forms.Form:
    """Whose the email is: one company the user may see."""
    form = forms.Form(data, prefix=prefix)
    form.fields["customer"] = CustomerChoiceField(user=user, label="Company", required=True)
    return form


class TriageListView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    required_capability = Capability.EDIT_RECORDS
    requires_unlimited_scope = True
    template_name = "tickets/triage.html"
    nav_section = "tickets"

    def get_breadcrumbs(self):
        return [("Tickets", reverse("tickets:ticket_list")), ("Triage", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        emails = InboundEmail.objects.restrict(scope_for(self.request.user)).in_triage()
        page = Paginator(emails.order_by("-received_at", "-id"), PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        errors = kwargs.get("errors") or {}
        for email in page:
            email.form = errors.get(email.pk) or triage_form(
                self.request.user, prefix=f"email-{email.pk}"
            )
        context["emails"] = page
        return context


class TriageActionView(TriageListView):
    http_method_names = ["post"]

    def post(self, request, pk, action):
        access(InboundEmail.objects.all(), scope_for(request.user), pk)  # else the same 404
        if action == "discard":
            try:
                inbound.triage_discard(actor=request.user, inbound_id=pk)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Email discarded.")
            return redirect("tickets:triage")
        if action != "open":
            raise Http404("No such action.")
        form = triage_form(request.user, request.POST, prefix=f"email-{pk}")
        if form.is_valid():
            try:
                ticket = inbound.triage_open_ticket(
                    actor=request.user, inbound_id=pk, customer_id=form.cleaned_data["customer"].pk
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("tickets:triage")
            messages.success(request, f"Opened {ticket.reference} for {ticket.customer}.")
            return redirect(ticket.get_absolute_url())
        return self.render_to_response(self.get_context_data(errors={int(pk): form}), status=400)


class InboundRawView(ConsoleAccessMixin, View):
    """The email a ticket (or one of its replies) came from, as it arrived."""

    def get(self, request, pk, eid):
        ticket = access(Ticket.objects.all(), scope_for(request.user), pk)
        email = (
            InboundEmail.objects.restrict(scope_for(request.user))
            .filter(Q(ticket=ticket) | Q(message__ticket=ticket), pk=eid)
            .first()
        )
        if email is None:
            raise Http404("No such email.")
        return stored_file_response(
            email.raw.name, filename=f"email-{email.pk}.eml", content_type="message/rfc822"
        )
