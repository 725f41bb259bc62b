"""Invoice runs: preview a month first (invoices, totals, emails, who is skipped and why),
then run it in the worker with issuing and emailing as explicit choices, follow its progress
live and read its summary; a draft run is issued as reviewed in one step. Every customer's
invoices, so not for staff limited to assigned customers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.tasks import defer_after_commit

from ..forms import DraftRunIssueForm, InvoiceRunForm
from ..models import Invoice, InvoiceRun, InvoiceStatus
from ..services.invoice_runs import invoice_run_preview, invoice_run_start
from ..tasks import run_invoices
from .base import BillingNavMixin

RUNS_CRUMB = ("Invoice runs", reverse_lazy("billing:invoice_runs"))


def start_run(*, month, actor, issue: bool, notify: bool, issue_drafts: bool = False):
    """The run's record now (the page shows it at once), the work in the worker after
    commit."""
    run = invoice_run_start(month=month, actor=actor, issue=issue, notify=notify)
    defer_after_commit(
        run_invoices,
        month=month.isoformat(),
        actor_id=actor.pk,
        issue=issue,
        notify=issue and notify,
        issue_drafts=issue_drafts,
        run_id=run.pk,
    )
    return run


class InvoiceRunView(BillingNavMixin, ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    """The runs so far; ``?month=`` previews that month, and the run form below the preview
    starts it."""

    requires_unlimited_scope = True
    template_name = "billing/invoice_runs.html"
    form_class = InvoiceRunForm
    breadcrumbs = [("Invoices", reverse_lazy("billing:invoice_list")), ("Invoice runs", None)]

    @cached_property
    def can_manage(self) -> bool:
        return user_can(self.request.user, Capability.MANAGE_BILLING)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["runs"] = InvoiceRun.objects.select_related("started_by")[:24]
        context["can_manage_billing"] = self.can_manage
        if self.can_manage and "month" in self.request.GET and self.request.method == "GET":
            preview_form = InvoiceRunForm(self.request.GET)
            if preview_form.is_valid():
                month = preview_form.cleaned_data["month"]
                try:
                    context["preview"] = invoice_run_preview(month=month)
                except ValidationError as error:
                    add_service_errors(preview_form, error)
                else:
                    context["form"] = InvoiceRunForm(initial={"month": month})
            context["preview_form"] = preview_form
        context.setdefault("preview_form", InvoiceRunForm())
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_manage:
            raise PermissionDenied("Only owners and admins run invoices.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            run = start_run(
                month=data["month"],
                actor=self.request.user,
                issue=data["issue"],
                notify=data["notify"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"The invoice run for {run.period:%B %Y} has started.")
        return redirect("billing:invoice_run_detail", pk=run.pk)


class InvoiceRunMixin(BillingNavMixin, ConsoleAccessMixin):
    requires_unlimited_scope = True

    @cached_property
    def run(self) -> InvoiceRun:
        return get_object_or_404(
            InvoiceRun.objects.select_related("started_by"), pk=self.kwargs["pk"]
        )

    def run_context(self) -> dict:
        run = self.run
        percent = 100 if run.status != "running" else 0
        if run.payer_count and run.status == "running":
            percent = min(99, run.processed_count * 100 // run.payer_count)
        return {"run": run, "percent": percent}


def drafts_of(run: InvoiceRun):
    """The drafts waiting for the run's month (drafted by it or an earlier draft run)."""
    from .. import money

    return Invoice.objects.filter(
        status=InvoiceStatus.DRAFT,
        period_start__gte=run.period,
        period_start__lt=money.add_months(run.period, 1),
    )


class InvoiceRunDetailView(InvoiceRunMixin, BreadcrumbsMixin, TemplateView):
    template_name = "billing/invoice_run_detail.html"

    def get_breadcrumbs(self):
        return [
            ("Invoices", reverse("billing:invoice_list")),
            RUNS_CRUMB,
            (str(self.run), None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.run_context())
        can_manage = user_can(self.request.user, Capability.MANAGE_BILLING)
        context["can_manage_billing"] = can_manage
        if self.run.status == InvoiceRun.Status.DONE and not self.run.issue and can_manage:
            context["draft_count"] = drafts_of(self.run).count()
            context["issue_form"] = kwargs.get("issue_form") or DraftRunIssueForm()
        return context


class InvoiceRunStatusView(InvoiceRunMixin, TemplateView):
    """The progress partial htmx polls; once the run settles, the whole page reloads."""

    template_name = "billing/invoice_run_status.html"

    def get(self, request, *args, **kwargs):
        response = self.render_to_response(self.run_context())
        if request.GET.get("was") == "running" and self.run.status != "running":
            response["HX-Refresh"] = "true"
        return response


class InvoiceRunIssueView(InvoiceRunMixin, View):
    """Issue a reviewed draft run's drafts as they are, in one step (in the worker)."""

    required_capability = Capability.MANAGE_BILLING

    def post(self, request, *args, **kwargs):
        run = self.run
        form = DraftRunIssueForm(request.POST)
        if run.issue or run.status != InvoiceRun.Status.DONE or not form.is_valid():
            messages.error(request, "Only a finished draft run's drafts can be issued from here.")
            return redirect("billing:invoice_run_detail", pk=run.pk)
        if not drafts_of(run).exists():
            messages.info(request, f"No drafts are waiting for {run.period:%B %Y}.")
            return redirect("billing:invoice_run_detail", pk=run.pk)
        try:
            issuing = start_run(
                month=run.period,
                actor=request.user,
                issue=True,
                notify=form.cleaned_data["notify"],
                issue_drafts=True,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("billing:invoice_run_detail", pk=run.pk)
        messages.success(request, f"Issuing the drafts of {run.period:%B %Y} has started.")
        return redirect("billing:invoice_run_detail", pk=issuing.pk)
