"""Analytics (seed 002's customer metrics): the staff's page across customers, with a month
range and CSV exports, and the customer page's Analytics tab (registered in
BillingConfig.ready). Figures come from billing.analytics; both pages cost a fixed number of
queries whatever the range or the number of customers."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.views.generic import TemplateView

from core.formats import csv_decimal, percent_text
from core.generic import ObjectDetailView, csv_response
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.scope import scope_for
from customers.views.detail import CustomerPageMixin

from .. import analytics, figures, money
from ..analytics_sections import analytics_sections
from ..charts import csv_figure, formatted
from .base import BillingNavMixin

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class MonthRangeForm(forms.Form):
    """From and to months (``?start=2026-01&end=2026-12``); the last 12 months by default."""

    start = forms.DateField(
        label="From",
        required=False,
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Enter a month as YYYY-MM, e.g. 2026-01."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Enter a month as YYYY-MM, e.g. 2026-12."},
    )

    def clean(self):
        data = super().clean()
        this_month = timezone.localdate().replace(day=1)
        end = (data.get("end") or this_month).replace(day=1)
        start = (data.get("start") or money.add_months(end, -11)).replace(day=1)
        if end > this_month:
            self.add_error("end", "The range cannot end after this month.")
        elif start > end:
            self.add_error("start", "“From” must not be after “To”.")
        elif start.year < 1900:
            self.add_error("start", "Enter a month from 1900 on.")
        elif analytics.months_between(start, end) + 1 > analytics.MAX_MONTHS:
            self.add_error("start", f"Choose at most {analytics.MAX_MONTHS} months.")
        data["span"] = analytics.MonthRange(start, end)
        return data


def month_range(request) -> tuple[MonthRangeForm, analytics.MonthRange]:
    """The range asked for, or (with the form's errors to show) the last 12 months."""
    form = MonthRangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["span"]
    if not form.is_bound:
        form = MonthRangeForm(initial=_initial(analytics.last_months()))
    return form, analytics.last_months()


def _initial(span: analytics.MonthRange) -> dict[str, date]:
    return {"start": span.first, "end": span.last}


class AnalyticsView(BillingNavMixin, ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """Analytics across the customers the user reaches: totals, month by month, top
    customers, retention cohorts; ``?export=csv`` (months), ``top`` or ``cohorts``."""

    template_name = "billing/analytics.html"
    breadcrumbs = [("Analytics", None)]
    EXPORTS = ("csv", "top", "cohorts")

    def get(self, request, *args, **kwargs):
        form, span = month_range(request)
        data = analytics.overall_analytics(span, figures.reach(scope_for(request.user)))
        export = request.GET.get("export")
        if export in self.EXPORTS:
            return self.export(export, data, span)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                a=data,
                sections=analytics_sections(
                    figures.reach(scope_for(request.user)), span, per_customer=True
                ),
                exports=self.export_links(span),
                top_lists=[(key, title, data["top"][key]) for key, title in TOP_TITLES.items()],
                **shown(data),
            )
        )

    def export_links(self, span) -> dict[str, str]:
        query = f"start={span.first:%Y-%m}&end={span.last:%Y-%m}"
        return {kind: f"?{query}&export={kind}" for kind in self.EXPORTS}

    def export(self, kind: str, data: dict, span):
        """CSV for machines (core.formats.csv_decimal): plain decimal point, no grouping."""
        stamp = f"{span.first:%Y-%m}-to-{span.last:%Y-%m}"
        if kind == "top":
            rows = [("List", "Rank", "Customer", "Value")]
            for key, title in TOP_TITLES.items():
                for rank, row in enumerate(data["top"][key], start=1):
                    rows.append((title, rank, row["name"], csv_decimal(row["value"])))
            return csv_response(f"analytics-top-customers-{stamp}.csv", rows)
        if kind == "cohorts":
            rows = [("Customer since", "Customers", "Ever subscribed", "Still subscribed", "%")]
            for row in data["cohorts"]:
                rows.append(
                    (
                        f"{row['month']:%Y-%m}",
                        row["joined"],
                        row["subscribed"],
                        row["retained"],
                        csv_decimal(row["rate"], 1),
                    )
                )
            return csv_response(f"analytics-cohorts-{stamp}.csv", rows)
        table = data["table"]
        rows = [("Month", *table["columns"])]
        for index, month in enumerate(span.months):
            partial = data["partial"] and index == len(span.months) - 1
            cells = [csv_figure(data["series"][name][index], table["kinds"][name])
                     for name in table["columns"]]  # fmt: skip
            rows.append((f"{month:%Y-%m}" + (" (partial)" if partial else ""), *cells))
        return csv_response(f"analytics-{stamp}.csv", rows)


def shown(data: dict) -> dict[str, str]:
    """The stat cards' figures that may be missing, written out."""
    average = data.get("average_mrr")
    return {
        "retention": "—" if data.get("retention") is None else percent_text(data["retention"]),
        "login_frequency": "—"
        if data["login_frequency"] is None
        else formatted(data["login_frequency"], "ratio"),
        "overdue": formatted(data["overdue"], "money"),
        "ARPA": "no paying customers"
        if average is None
        else f"{formatted(average, 'money')} per paying customer",
    }


TOP_TITLES = {
    "mrr": "Top customers by MRR",
    "lifetime_value": "Top customers by lifetime value",
    "usage": "Top customers by usage costs invoiced in the range",
}


class CustomerAnalyticsView(CustomerPageMixin, ObjectDetailView):
    """The customer page's Analytics tab: the customer's users, usage, money, sign-ins and
    retention (with ``?rollup=1`` a parent's figures cover its sub-accounts too)."""

    template_name = "billing/analytics_customer.html"
    tab = "analytics"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, span = month_range(self.request)
        data = analytics.customer_analytics(self.object, span, self.scope_ids)
        context.update(
            form=form,
            a=data,
            sections=analytics_sections(self.scope_ids, span, per_customer=False),
            retention_hint=(
                f"ended {data['ended']:%Y-%m-%d} (no live subscription)"
                if data["ended"]
                else "from “customer since” to today"
            ),
            **shown(data),
        )
        return context
