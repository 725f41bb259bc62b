"""Payments received, and the resellers' commission report."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse_lazy
from django.views.generic import TemplateView

from core.generic import ObjectListView, csv_response
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin

from .. import money
from ..filters import PaymentFilterSet
from ..forms import CommissionReportForm
from ..models import BillingSettings, Payment
from ..selectors import commission_rows, commission_summary
from ..tables import PaymentTable
from .base import BillingNavMixin


class PaymentListView(BillingNavMixin, ObjectListView):
    model = Payment
    filterset_class = PaymentFilterSet
    table_class = PaymentTable
    export_name = "payments"
    always_cap_count = True
    breadcrumbs = [("Payments", None)]

    def get_queryset(self):
        return self.scoped().select_related("invoice")


class CommissionReportView(BillingNavMixin, ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """A reseller's clients, their base in a month (what they paid, or their usage charges:
    the tenant's basis) and the commission due, live, as the month's statement will have it;
    as CSV too. The monthly statements are billing/views/commissions.py."""

    template_name = "billing/commissions.html"
    breadcrumbs = [
        ("Commission statements", reverse_lazy("billing:commission_statement_list")),
        ("So far", None),
    ]

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
            basis=BillingSettings.current().commission_basis,
            reseller=reseller,
            rows=rows,
            period=period,
            totals={
                "paid": money.total(r["paid"] for r in rows),
                "commission": money.total(r["commission"] for r in rows),
            },
        )
        return self.render_to_response(context)
