from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, Q, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.views import View
from django.views.generic import FormView, TemplateView, UpdateView

from accounts.policies import Capability, user_can
from core.forms import add_service_errors
from core.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    ObjectUpdateMixin,
    csv_response,
)
from core.history import history_page
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.tasks import defer_after_commit
from customers.models import Customer
from customers.views.detail import CustomerPageMixin

from . import figures, money
from .filters import (
    InvoiceFilterSet,
    PaymentFilterSet,
    PlanFilterSet,
    ProjectFilterSet,
    SubscriptionFilterSet,
    UsageFilterSet,
)
from .forms import (
    BillingProfileForm,
    BillingSettingsForm,
    CommissionReportForm,
    InvoiceRunForm,
    PaymentForm,
    PlanForm,
    ProjectForm,
    SubscriptionCancelForm,
    SubscriptionChangeForm,
    SubscriptionForm,
    TierFormSet,
    UsageForm,
    VoidForm,
)
from .models import (
    BillingProfile,
    BillingSettings,
    Invoice,
    InvoiceRun,
    InvoiceStatus,
    Payment,
    Plan,
    Project,
    Subscription,
    UsageRecord,
)
from .pdf import grouped_lines, invoice_pdf
from .selectors import commission_rows, commission_summary
from .services.invoicing import invoice_draft_delete, invoice_issue, invoice_void
from .services.payments import payment_record
from .services.projects import project_create, project_update
from .services.settings import billing_profile_save
from .services.subscriptions import (
    plan_save,
    subscription_cancel,
    subscription_change,
    subscription_create,
)
from .services.usage import usage_record
from .tables import (
    InvoiceTable,
    PaymentTable,
    PlanTable,
    ProjectTable,
    SubscriptionTable,
    UsageTable,
)
from .tasks import run_invoices


class ProjectListView(ObjectListView):
    model = Project
    filterset_class = ProjectFilterSet
    table_class = ProjectTable
    export_name = "projects"
    add_url_name = "billing:project_create"
    nav_section = "projects"
    breadcrumbs = [("Projects", None)]

    def get_queryset(self):
        return Project.objects.visible_to(self.request.user).select_related("customer")


class ProjectDetailView(ObjectDetailView):
    model = Project
    template_name = "billing/project_detail.html"
    context_object_name = "project"
    nav_section = "projects"

    def get_queryset(self):
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("customer")
            .prefetch_related("locations")
        )

    def get_breadcrumbs(self):
        return [("Projects", reverse("billing:project_list")), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, entries = history_page(
            Project, self.object.history.all(), self.request.GET.get("page")
        )
        context.update(
            page_obj=page,
            entries=entries,
            asset_count=self.object.assets.count(),
            can_edit=user_can(self.request.user, Capability.EDIT_RECORDS),
        )
        return context


class ProjectCreateView(ObjectFormView):
    model = Project
    form_class = ProjectForm
    nav_section = "projects"

    initial_from_query = ("customer",)

    def save(self, form):
        data = dict(form.cleaned_data)
        locations = data.pop("locations", [])
        return project_create(actor=self.request.user, locations=locations, **data)


class ProjectUpdateView(ObjectUpdateMixin, ObjectFormView):
    model = Project
    form_class = ProjectForm
    nav_section = "projects"

    def save(self, form):
        data = dict(form.cleaned_data)
        locations = data.pop("locations", [])
        return project_update(
            project_id=self.object.pk, data=data, locations=locations, actor=self.request.user
        )


# --- Billing ---------------------------------------------------------------------------------


class BillingNavMixin:
    nav_section = "billing"


class InvoiceListView(BillingNavMixin, ObjectListView):
    model = Invoice
    filterset_class = InvoiceFilterSet
    table_class = InvoiceTable
    export_name = "invoices"
    always_cap_count = True
    breadcrumbs = [("Invoices", None)]
    template_name = "billing/invoice_list.html"

    def get_queryset(self):
        return Invoice.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage_billing"] = user_can(self.request.user, Capability.MANAGE_BILLING)
        context["figures"] = figures.tenant_figures()
        return context


class InvoiceDetailView(BillingNavMixin, ObjectDetailView):
    model = Invoice
    template_name = "billing/invoice_detail.html"
    context_object_name = "invoice"

    def get_queryset(self):
        return Invoice.objects.visible_to(self.request.user).select_related("customer", "replaces")

    def get_breadcrumbs(self):
        return [("Invoices", reverse("billing:invoice_list")), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.object
        page, entries = history_page(Invoice, invoice.history.all(), self.request.GET.get("page"))
        can_manage = user_can(self.request.user, Capability.MANAGE_BILLING)
        context.update(
            groups=grouped_lines(invoice),
            payments=invoice.payments.select_related("recorded_by"),
            replacements=invoice.replaced_by.all(),
            page_obj=page,
            entries=entries,
            can_manage_billing=can_manage,
            payment_form=kwargs.get("payment_form")
            or (PaymentForm(invoice=invoice) if can_manage and invoice.is_open else None),
        )
        return context


class InvoicePdfView(ConsoleAccessMixin, View):
    """The invoice (or, with ``receipt=True``, the receipt) as a PDF download."""

    receipt = False

    def get(self, request, pk):
        invoice = get_object_or_404(Invoice.objects.visible_to(request.user), pk=pk)
        return pdf_response(invoice, receipt=self.receipt)


def pdf_response(invoice: Invoice, *, receipt: bool) -> HttpResponse:
    if invoice.status == InvoiceStatus.DRAFT and receipt:
        raise Http404("A draft has no receipt.")
    if receipt and not invoice.amount_paid:
        raise Http404("Nothing has been paid on this invoice yet.")
    name = f"{'receipt' if receipt else 'invoice'}-{invoice.number or f'draft-{invoice.pk}'}.pdf"
    response = HttpResponse(invoice_pdf(invoice, receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


class InvoicePaymentView(BillingNavMixin, ConsoleAccessMixin, View):
    required_capability = Capability.MANAGE_BILLING

    def post(self, request, pk):
        invoice = get_object_or_404(Invoice.objects.visible_to(request.user), pk=pk)
        form = PaymentForm(request.POST, invoice=invoice)
        if form.is_valid():
            try:
                payment_record(invoice_id=invoice.pk, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                invoice.refresh_from_db()
                messages.success(
                    request,
                    f"Payment recorded. {invoice}: {invoice.get_status_display().lower()}, "
                    f"balance {invoice.balance} {invoice.currency}.",
                )
                return redirect(invoice)
        view = InvoiceDetailView(request=request, kwargs={"pk": pk}, args=())
        view.object = invoice
        return view.render_to_response(view.get_context_data(payment_form=form), status=400)


class InvoiceIssueView(BillingNavMixin, ObjectActionView):
    model = Invoice
    required_capability = Capability.MANAGE_BILLING
    verb = "Issue"
    explanation = (
        "The invoice gets the next number, becomes final (corrections by voiding it) and is "
        "emailed to the billing contact with its PDF."
    )
    success_message = "Issued {object}."

    def get_queryset(self):
        return Invoice.objects.visible_to(self.request.user).filter(status=InvoiceStatus.DRAFT)

    def get_breadcrumbs(self):
        return invoice_crumbs(self.object, self.verb)

    def perform(self, obj):
        return invoice_issue(invoice_id=obj.pk, actor=self.request.user)


class InvoiceDraftDeleteView(InvoiceIssueView):
    verb = "Delete draft"
    button_class = "btn-danger"
    explanation = "The draft is removed; the next invoice run for its period drafts it again."
    success_message = "Deleted the draft."

    def perform(self, obj):
        invoice_draft_delete(invoice_id=obj.pk, actor=self.request.user)

    def get_success_url(self, obj):
        return reverse("billing:invoice_list")


class InvoiceVoidView(BillingNavMixin, ObjectFormView):
    model = Invoice
    form_class = VoidForm
    required_capability = Capability.MANAGE_BILLING

    def get_object(self):
        return get_object_or_404(
            Invoice.objects.visible_to(self.request.user).filter(
                status__in=[InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE]
            ),
            pk=self.kwargs["pk"],
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user"), kwargs.pop("instance", None)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Void {self.object}"
        context["submit_label"] = "Void invoice"
        return context

    def get_breadcrumbs(self):
        return invoice_crumbs(self.object, "Void")

    def save(self, form):
        draft = invoice_void(
            invoice_id=self.object.pk, actor=self.request.user, **form.cleaned_data
        )
        return draft or self.object


def invoice_crumbs(invoice, verb):
    return [
        ("Invoices", reverse("billing:invoice_list")),
        (str(invoice), invoice.get_absolute_url()),
        (verb, None),
    ]


class InvoiceRunView(BillingNavMixin, ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    """Start the month's invoicing (in the background) and see earlier runs."""

    template_name = "billing/invoice_runs.html"
    form_class = InvoiceRunForm
    breadcrumbs = [("Invoices", reverse_lazy("billing:invoice_list")), ("Invoice runs", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["runs"] = InvoiceRun.objects.select_related("started_by")[:24]
        context["can_manage_billing"] = user_can(self.request.user, Capability.MANAGE_BILLING)
        return context

    def post(self, request, *args, **kwargs):
        if not user_can(request.user, Capability.MANAGE_BILLING):
            raise PermissionDenied("Only owners and admins run invoices.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        month, issue = form.cleaned_data["month"], form.cleaned_data["issue"]
        defer_after_commit(
            run_invoices, month=month.isoformat(), actor_id=self.request.user.pk, issue=issue
        )
        messages.success(
            self.request,
            f"The invoice run for {month:%B %Y} has started; it appears below when done.",
        )
        return redirect("billing:invoice_runs")


class SubscriptionListView(BillingNavMixin, ObjectListView):
    model = Subscription
    filterset_class = SubscriptionFilterSet
    table_class = SubscriptionTable
    export_name = "subscriptions"
    add_url_name = "billing:subscription_create"
    add_capability = Capability.MANAGE_BILLING
    breadcrumbs = [("Subscriptions", None)]

    def get_queryset(self):
        return Subscription.objects.visible_to(self.request.user).select_related("customer", "plan")


class SubscriptionDetailView(BillingNavMixin, ObjectDetailView):
    model = Subscription
    template_name = "billing/subscription_detail.html"
    context_object_name = "subscription"

    def get_queryset(self):
        return Subscription.objects.visible_to(self.request.user).select_related("customer", "plan")

    def get_breadcrumbs(self):
        return [("Subscriptions", reverse("billing:subscription_list")), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, entries = history_page(
            Subscription, self.object.history.all(), self.request.GET.get("page")
        )
        context.update(
            terms=self.object.terms.select_related("plan"),
            usage=figures.current_usage(self.object),
            page_obj=page,
            entries=entries,
            can_manage_billing=user_can(self.request.user, Capability.MANAGE_BILLING),
        )
        return context


class SubscriptionCreateView(BillingNavMixin, ObjectFormView):
    model = Subscription
    form_class = SubscriptionForm
    required_capability = Capability.MANAGE_BILLING
    initial_from_query = ("customer",)

    def save(self, form):
        return subscription_create(actor=self.request.user, **form.cleaned_data)


class SubscriptionActionFormView(BillingNavMixin, ObjectFormView):
    """A change to one subscription through a plain form and a service."""

    model = Subscription
    required_capability = Capability.MANAGE_BILLING
    verb = ""

    def get_object(self):
        return get_object_or_404(
            Subscription.objects.visible_to(self.request.user).live().select_related("plan"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.verb}: {self.object}"
        return context

    def get_breadcrumbs(self):
        return [
            ("Subscriptions", reverse("billing:subscription_list")),
            (str(self.object), self.object.get_absolute_url()),
            (self.verb, None),
        ]


class SubscriptionChangeView(SubscriptionActionFormView):
    form_class = SubscriptionChangeForm
    verb = "Change plan or seats"

    def save(self, form):
        return subscription_change(
            subscription_id=self.object.pk, actor=self.request.user, **form.cleaned_data
        )


class SubscriptionCancelView(SubscriptionActionFormView):
    form_class = SubscriptionCancelForm
    verb = "Cancel"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user"), kwargs.pop("instance", None)
        return kwargs

    def save(self, form):
        return subscription_cancel(
            subscription_id=self.object.pk, actor=self.request.user, **form.cleaned_data
        )


class PlanListView(BillingNavMixin, ObjectListView):
    model = Plan
    filterset_class = PlanFilterSet
    table_class = PlanTable
    export_name = "plans"
    add_url_name = "billing:plan_create"
    add_capability = Capability.MANAGE_BILLING
    breadcrumbs = [("Plans", None)]

    def get_queryset(self):
        return Plan.objects.annotate(
            subscriber_count=Count("subscriptions", filter=~Q(subscriptions__status="cancelled"))
        )

    def get_table(self, queryset):
        return self.table_class(
            queryset, can_edit=user_can(self.request.user, Capability.MANAGE_BILLING)
        )


class PlanFormView(BillingNavMixin, ObjectFormView):
    """A plan with its usage tiers on one page."""

    model = Plan
    form_class = PlanForm
    required_capability = Capability.MANAGE_BILLING
    template_name = "billing/plan_form.html"

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(Plan, pk=self.kwargs["pk"])

    def get_tier_formset(self):
        initial = [
            {
                "metric": t.metric_id,
                "up_to": None if t.up_to is None else money.plain(t.up_to),
                "unit_price": money.plain(t.unit_price),
            }
            for t in (self.object.tiers.all() if self.object else [])
        ]
        data = self.request.POST if self.request.method == "POST" else None
        return TierFormSet(data, initial=initial, prefix="tiers")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tiers"] = kwargs.get("tiers") or self.get_tier_formset()
        return context

    def post(self, request, *args, **kwargs):
        form, tiers = self.get_form(), self.get_tier_formset()
        if form.is_valid() and tiers.is_valid():
            try:
                plan = plan_save(
                    plan=form.save(commit=False), tiers=tiers.tiers(), actor=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Saved the {plan} plan.")
                return redirect("billing:plan_list")
        return self.render_to_response(self.get_context_data(form=form, tiers=tiers), status=400)


class UsageListView(BillingNavMixin, ObjectListView):
    model = UsageRecord
    filterset_class = UsageFilterSet
    table_class = UsageTable
    export_name = "usage"
    import_kind = "usage"
    add_url_name = "billing:usagerecord_create"
    breadcrumbs = [("Usage", None)]

    def get_queryset(self):
        return UsageRecord.objects.filter(
            customer__in=Customer.objects.visible_to(self.request.user)
        ).select_related("customer", "metric", "recorded_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Usage"
        return context


class UsageCreateView(BillingNavMixin, ObjectFormView):
    model = UsageRecord
    form_class = UsageForm
    initial_from_query = ("customer",)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Record usage"
        return context

    def save(self, form):
        record = usage_record(actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, f"Recorded {record} for {record.customer.name}.")
        return record

    def form_valid(self, form):
        try:
            record = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(reverse("billing:usagerecord_list") + f"?customer_id={record.customer_id}")


class PaymentListView(BillingNavMixin, ObjectListView):
    model = Payment
    filterset_class = PaymentFilterSet
    table_class = PaymentTable
    export_name = "payments"
    always_cap_count = True
    breadcrumbs = [("Payments", None)]

    def get_queryset(self):
        return Payment.objects.filter(
            invoice__in=Invoice.objects.visible_to(self.request.user)
        ).select_related("invoice")


class CommissionReportView(BillingNavMixin, ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """A reseller's clients, what they paid in a month and the commission due; as CSV too."""

    template_name = "billing/commissions.html"
    breadcrumbs = [("Invoices", reverse_lazy("billing:invoice_list")), ("Commissions", None)]

    def get(self, request, *args, **kwargs):
        form = CommissionReportForm(request.GET, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        month = date.fromisoformat(form.cleaned_data["month"])
        period = money.Period(month, money.add_months(month, 1) - timedelta(days=1))
        reseller = form.cleaned_data["reseller"]
        if reseller:
            rows = commission_rows(reseller, period)
            header = ["Client", "Paid", "Commission rate (%)", "Commission"]
            lines = [[r["customer"].name, r["paid"], r["rate"], r["commission"]] for r in rows]
            file_name = f"commission-{reseller.pk}-{month:%Y-%m}.csv"
        else:
            rows = commission_summary(form.fields["reseller"].queryset, period)
            header = ["Reseller", "Clients", "Paid", "Commission rate (%)", "Commission"]
            lines = [
                [r["reseller"].name, r["clients"], r["paid"], r["rate"], r["commission"]]
                for r in rows
            ]
            file_name = f"commissions-{month:%Y-%m}.csv"
        if request.GET.get("export") == "csv":
            return csv_response(file_name, [header, *lines])
        context = self.get_context_data(
            form=form,
            reseller=reseller,
            rows=rows,
            period=period,
            totals={
                "paid": money.total(r["paid"] for r in rows),
                "commission": money.total(r["commission"] for r in rows),
            },
        )
        return self.render_to_response(context)


class BillingSettingsView(BillingNavMixin, ConsoleAccessMixin, BreadcrumbsMixin, UpdateView):
    template_name = "core/object_form.html"
    form_class = BillingSettingsForm
    success_url = reverse_lazy("billing:settings")
    breadcrumbs = [("Settings", reverse_lazy("core:settings")), ("Billing", None)]

    def get_object(self, queryset=None):
        return BillingSettings.current()

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not user_can(self.request.user, Capability.MANAGE_BILLING):
            for field in form.fields.values():
                field.disabled = True
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Billing settings", cancel_url=reverse("core:settings"))
        context["read_only"] = not user_can(self.request.user, Capability.MANAGE_BILLING)
        return context

    def post(self, request, *args, **kwargs):
        if not user_can(request.user, Capability.MANAGE_BILLING):
            raise PermissionDenied("Only owners and admins change billing settings.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        form.save()
        messages.success(self.request, "Billing settings saved.")
        return redirect(self.success_url)


class CustomerBillingView(CustomerPageMixin, ObjectDetailView):
    """The customer page's Billing tab: subscription, usage this period, invoices, payments,
    figures and engagement; admins edit how the customer is billed."""

    template_name = "billing/customer_billing.html"
    tab = "billing"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        subscription = (
            Subscription.objects.filter(customer=customer)
            .select_related("plan")
            .order_by(Case(When(status="cancelled", then=1), default=0), "-start_date")
            .first()
        )
        profile = BillingProfile.objects.filter(customer=customer).first()
        can_manage = user_can(self.request.user, Capability.MANAGE_BILLING)
        context.update(
            subscription=subscription,
            usage=figures.current_usage(subscription) if subscription else [],
            figures=figures.customer_figures(customer.pk),
            engagement=figures.customer_engagement(customer.pk),
            invoices=Invoice.objects.filter(customer=customer)[:12],
            payments=Payment.objects.filter(invoice__customer=customer).select_related("invoice")[
                :10
            ],
            profile=profile,
            can_manage_billing=can_manage,
            profile_form=kwargs.get("profile_form")
            or (BillingProfileForm(instance=profile) if can_manage else None),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not user_can(request.user, Capability.MANAGE_BILLING):
            raise PermissionDenied("Only owners and admins change how a customer is billed.")
        profile = BillingProfile.objects.filter(customer=self.object).first()
        form = BillingProfileForm(request.POST, instance=profile)
        if form.is_valid():
            try:
                billing_profile_save(customer=self.object, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Billing settings of this customer saved.")
                return redirect("billing:customer_billing", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(profile_form=form), status=400)
