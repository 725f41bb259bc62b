"""Resellers' commission statements in the console: the list (filter by month, reseller and
status; totals per currency; CSV), a statement's page with its client lines (CSV too) and
its payout actions (Approve, Mark paid, Void), and preparing a month's statements."""

from __future__ import annotations

from datetime import date

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.filters import StyledFilterSet
from core.formats import amount_text, money_text, qty_text
from core.generic import ObjectDetailView, ObjectListView, csv_response
from core.mixins import ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for
from customers.models import Customer

from ..forms import month_choices
from ..models import BillingSettings, CommissionStatement, StatementStatus
from ..services.commissions import (
    commission_statement_approve,
    commission_statement_mark_paid,
    commission_statement_void,
    prepare_commission_statements,
)
from ..tables import money_column
from .base import BillingNavMixin

DATE = forms.DateInput(attrs={"type": "date"})


def past_months(today: date) -> list[tuple[str, str]]:
    """The months statements can be prepared for: those that are over, newest first."""
    return month_choices(today, count=25)[1:]


class CommissionStatementFilterSet(StyledFilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search reseller…"}),
    )
    month = django_filters.ChoiceFilter(choices=(), empty_label="Any month", label="Month")
    reseller = django_filters.ModelChoiceFilter(
        queryset=lambda request: (
            Customer.objects.visible_to(request.user)
            .filter(billing_profile__is_reseller=True)
            .order_by("name")
        ),
        empty_label="Any reseller",
        label="Reseller",
    )
    reseller_id = django_filters.NumberFilter(widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(
        choices=StatementStatus.choices, empty_label="Any status", label="Status"
    )

    class Meta:
        model = CommissionStatement
        fields = ["q", "month", "reseller", "status", "reseller_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["month"].extra["choices"] = past_months(timezone.localdate())
        self.form.fields["month"].choices = past_months(timezone.localdate())

    def search(self, queryset, name, value):
        value = " ".join(value.split())[:100]
        return queryset.filter(reseller_name__icontains=value) if value else queryset


class CommissionStatementTable(tables.Table):
    month = tables.DateColumn(format="F Y", order_by=("month", "reseller_name"))
    reseller = tables.Column(
        accessor="reseller_name", verbose_name="Reseller", order_by=("reseller_name", "month")
    )
    basis = tables.Column(verbose_name="On")
    client_count = tables.Column(verbose_name="Clients", attrs={"td": {"class": "text-end"}})
    base_total = money_column("Base")
    rate = money_column("Rate (%)")
    total = money_column("Commission")
    currency = tables.Column()
    status = tables.Column()
    paid_on = tables.DateColumn(format="Y-m-d", verbose_name="Paid on", default="—")

    class Meta:
        model = CommissionStatement
        fields = (
            "month",
            "reseller",
            "basis",
            "client_count",
            "base_total",
            "rate",
            "total",
            "currency",
            "status",
            "paid_on",
        )
        order_by = ("-month", "reseller")
        attrs = {"class": "table table-hover align-middle mb-0"}

    def __init__(self, *args, can_edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)

    def render_reseller(self, record):
        from django.utils.html import format_html

        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.reseller_name)

    def render_basis(self, record):
        return "Usage" if record.basis == "usage" else "Payments"

    def render_base_total(self, value):
        return amount_text(value)

    def render_total(self, record):
        return money_text(record.total, record.currency)

    def render_rate(self, value):
        return qty_text(value)

    def render_status(self, record):
        from core.tables import badge

        return badge(record.status_badge_class, record.get_status_display())

    def value_reseller(self, record):
        return record.reseller_name

    def value_status(self, record):
        return record.get_status_display()

    def value_basis(self, record):
        return record.basis


class PrepareForm(forms.Form):
    month = forms.ChoiceField(label="Month", choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = past_months(timezone.localdate())
        self.fields["month"].widget.attrs["class"] = "form-select form-select-sm"


class CommissionStatementListView(BillingNavMixin, ObjectListView):
    list_route = "billing:commission_statement_list"
    model = CommissionStatement
    filterset_class = CommissionStatementFilterSet
    table_class = CommissionStatementTable
    template_name = "billing/commission_statement_list.html"
    export_name = "commission-statements"
    breadcrumbs = [("Commission statements", None)]

    def get_queryset(self):
        return self.scoped().for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The filtered statements again without the list's line count (a join per line).
        filtered = CommissionStatement.objects.filter(pk__in=kwargs["filterset"].qs.values("pk"))
        context.update(
            title="Commission statements",
            totals=list(
                filtered.values("currency")
                .annotate(base=Sum("base_total"), commission=Sum("total"), statements=Count("pk"))
                .order_by("currency")
            ),
            # Preparing covers every reseller: not for staff limited to some customers.
            can_manage=user_can(self.request.user, Capability.MANAGE_BILLING)
            and not self.scope.is_limited,
            prepare_form=PrepareForm(),
            workspace_basis=BillingSettings.current().commission_basis,
        )
        return context


class CommissionStatementPrepareView(BillingNavMixin, ConsoleAccessMixin, View):
    """Prepare (or refresh) a finished month's statements; owners and admins."""

    required_capability = Capability.MANAGE_BILLING
    requires_unlimited_scope = True  # every reseller of the workspace

    def post(self, request):
        form = PrepareForm(request.POST)
        target = reverse("billing:commission_statement_list")
        if not form.is_valid():
            messages.error(request, "Choose a month that is over: " + " ".join(
                error for errors in form.errors.values() for error in errors
            ))  # fmt: skip
            return redirect(target)
        month = date.fromisoformat(form.cleaned_data["month"])
        try:
            result = prepare_commission_statements(month=month, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(target)
        messages.success(request, str(result))
        return redirect(f"{target}?month={month.isoformat()}")


class PaidForm(forms.Form):
    paid_on = forms.DateField(label="Paid on", required=False, widget=DATE)
    reference = forms.CharField(label="Reference", required=False, max_length=100)


class VoidForm(forms.Form):
    reason = forms.CharField(label="Why is it void?", required=False, max_length=300)


class CommissionStatementDetailView(BillingNavMixin, ObjectDetailView):
    model = CommissionStatement
    template_name = "billing/commission_statement_detail.html"
    include_deleted = False

    def get_breadcrumbs(self):
        return [
            ("Commission statements", reverse("billing:commission_statement_list")),
            (str(self.object), None),
        ]

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if request.GET.get("export") == "csv":
            return self.export_csv()
        return self.render_to_response(self.get_context_data(object=self.object))

    def export_csv(self):
        statement = self.object
        rows = [["Client", f"Base ({statement.currency})", "Rate (%)", "Commission"]]
        rows += [
            [line.client_name, line.base_amount, statement.rate, line.commission]
            for line in statement.lines.all()
        ]
        rows.append(["Total", statement.base_total, statement.rate, statement.total])
        name = f"commission-{statement.reseller_id or 'purged'}-{statement.month:%Y-%m}"
        return csv_response(f"{name}-{statement.currency}.csv", rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement = self.object
        can_manage = user_can(self.request.user, Capability.MANAGE_BILLING)
        context.update(
            statement=statement,
            lines=list(statement.lines.all()),
            history=list(statement.history.select_related("history_user")[:20]),
            can_manage=can_manage,
            paid_form=kwargs.get("paid_form") or PaidForm(),
            void_form=kwargs.get("void_form") or VoidForm(),
        )
        return context


ACTIONS = {"approve", "pay", "void"}


class CommissionStatementActionView(BillingNavMixin, ConsoleAccessMixin, View):
    """Approve, Mark paid (date and reference) or Void (with a reason): one service each;
    a refusal is a message on the statement's page and nothing changes."""

    required_capability = Capability.MANAGE_BILLING

    def post(self, request, pk):
        statement = access(CommissionStatement, scope_for(request.user), pk, "change")
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, "Choose Approve, Mark paid or Void.")
            return redirect(statement.get_absolute_url())
        try:
            if action == "approve":
                commission_statement_approve(
                    statement=statement, actor=request.user, reason=request.POST.get("note", "")
                )
                done = "approved"
            elif action == "pay":
                form = PaidForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(
                        [error for errors in form.errors.values() for error in errors]
                    )
                commission_statement_mark_paid(
                    statement=statement,
                    actor=request.user,
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                )
                done = "marked paid"
            else:
                form = VoidForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                commission_statement_void(statement=statement, actor=request.user, reason=reason)
                done = "voided"
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(statement.get_absolute_url())
        messages.success(request, f"{statement}: {done}.")
        return redirect(statement.get_absolute_url())
