"""Service levels in the console: the policies (admins edit them), a company's own policy (on
its Tickets tab) and the monthly attainment report per company."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View

from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for

from . import services_sla
from .models import Ticket
from .models_sla import PRIORITIES, WEEKDAYS, SlaPolicy
from .querysets import OPEN_STATUSES

HOURS = {"max_digits": 7, "decimal_places": 2, "min_value": Decimal("0.02"), "required": False}


class PolicyForm(forms.ModelForm):
    """Targets in hours (to two decimals), kept in minutes."""

    business_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    holidays = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Days the clock stops, one per line or comma-separated (YYYY-MM-DD).",
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "is_default",
            "around_the_clock",
            "business_start",
            "business_end",
            "business_days",
            "holidays",
            "timezone",
        ]
        widgets = {
            "business_start": forms.TimeInput(attrs={"type": "time"}),
            "business_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for clock, label in (("first_response", "First response"), ("resolution", "Resolution")):
            for priority in PRIORITIES:
                name = f"{clock}_{priority}"
                minutes = getattr(self.instance, name, None)
                self.fields[name] = forms.DecimalField(
                    label=f"{label}, {priority} (hours)",
                    initial=Decimal(minutes) / 60 if minutes else None,
                    **HOURS,
                )
        if self.instance.pk:
            self.initial["holidays"] = "\n".join(self.instance.holidays or [])
            self.initial["business_days"] = self.instance.business_days
        else:
            self.initial.setdefault("business_days", [0, 1, 2, 3, 4])

    def _get_validation_exclusions(self):
        # One default policy: the service hands the default over, so it is not refused here.
        return super()._get_validation_exclusions() | {"is_default"}

    def clean_holidays(self):
        text = self.cleaned_data.get("holidays") or ""
        days = [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]
        for day in days:
            try:
                datetime.date.fromisoformat(day)
            except ValueError:
                raise ValidationError(f"{day} is not a date (YYYY-MM-DD).") from None
        return days

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        for clock in ("first_response", "resolution"):
            for priority in PRIORITIES:
                hours = self.cleaned_data.get(f"{clock}_{priority}")
                data[f"{clock}_{priority}"] = round(hours * 60) if hours else None
        return data


class PolicyListView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    template_name = "tickets/sla_policies.html"
    nav_section = "tickets"

    def get_breadcrumbs(self):
        return [("Tickets", reverse("tickets:ticket_list")), ("Service levels", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["policies"] = list(
            SlaPolicy.objects.restrict(scope_for(self.request.user)).annotate(
                companies=Count("customers")
            )
        )
        context["can_manage"] = scope_for(self.request.user).can(Capability.MANAGE_RECORDS)
        return context


class PolicyFormView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    required_capability = Capability.MANAGE_RECORDS
    template_name = "tickets/sla_policy_form.html"
    form_class = PolicyForm
    nav_section = "tickets"

    @cached_property
    def policy(self) -> SlaPolicy | None:
        """The policy edited (after the role check: ConsoleAccessMixin.dispatch)."""
        if "pk" not in self.kwargs:
            return None
        return access(SlaPolicy.objects.all(), scope_for(self.request.user), self.kwargs["pk"])

    def get_breadcrumbs(self):
        return [
            ("Tickets", reverse("tickets:ticket_list")),
            ("Service levels", reverse("tickets:sla_policies")),
            (str(self.policy) if self.policy else "New policy", None),
        ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.policy or SlaPolicy()
        return kwargs

    def form_valid(self, form):
        try:
            policy = services_sla.policy_save(
                actor=self.request.user,
                policy_id=self.policy.pk if self.policy else None,
                data=form.service_data(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {policy}.")
        return redirect("tickets:sla_policies")


class CustomerPolicyView(ConsoleAccessMixin, View):
    """POST from a customer's Tickets tab: its own policy, or back to the default."""

    required_capability = Capability.MANAGE_RECORDS
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            chosen = services_sla.customer_policy_set(
                actor=request.user, customer_id=pk, policy_id=request.POST.get("policy") or None
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{chosen.customer} now has the {chosen.policy} policy."
                if chosen
                else "The company follows the default policy.",
            )
        return redirect("customers:customer_tickets", pk=pk)


def month_of(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError):
        return timezone.localdate().replace(day=1)


class ReportView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """Per company, the month's tickets: opened, resolved, service levels met, average
    first response, and satisfaction."""

    template_name = "tickets/report.html"
    nav_section = "tickets"

    def get_breadcrumbs(self):
        return [("Tickets", reverse("tickets:ticket_list")), ("Report", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = month_of(self.request.GET.get("month", ""))
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        tickets = Ticket.objects.restrict(scope_for(self.request.user)).filter(
            created_at__date__gte=month, created_at__date__lt=following, merged_into__isnull=True
        )
        first_met = Q(first_response_at__lte=F("first_response_due_at"))
        resolution_met = Q(resolved_at__lte=F("resolution_due_at"))
        rows = (
            tickets.values("customer_id", "customer__name")
            .annotate(
                opened=Count("pk"),
                resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
                first_targets=Count(
                    "pk",
                    filter=Q(first_response_due_at__isnull=False, first_response_at__isnull=False)
                    | Q(first_response_breached_at__isnull=False),
                ),
                first_met=Count("pk", filter=first_met),
                resolution_targets=Count(
                    "pk",
                    filter=Q(resolution_due_at__isnull=False, resolved_at__isnull=False)
                    | Q(resolution_breached_at__isnull=False),
                ),
                resolution_met=Count("pk", filter=resolution_met),
                first_response=Avg(F("first_response_at") - F("created_at")),
                resolution=Avg(F("resolved_at") - F("created_at")),
                still_open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
                rated=Count("rating", filter=Q(rating__isnull=False)),
                good=Count("rating", filter=Q(rating="good")),
            )
            .order_by("customer__name")
        )
        rows = list(rows)
        totals = {
            key: sum(row[key] for row in rows)
            for key in (
                "opened",
                "resolved",
                "first_targets",
                "first_met",
                "resolution_targets",
                "resolution_met",
                "rated",
                "good",
                "still_open",
            )
        }
        staff_rows = list(
            tickets.filter(assignee__isnull=False)
            .values("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__email")
            .annotate(
                handled=Count("pk"),
                resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
                resolution=Avg(F("resolved_at") - F("created_at")),
                rated=Count("rating", filter=Q(rating__isnull=False)),
                good=Count("rating", filter=Q(rating="good")),
                bad=Count("rating", filter=Q(rating="bad")),
            )
            .order_by("assignee__first_name", "assignee__email")
        )
        context.update(
            staff_rows=staff_rows,
            month=month,
            previous=(month - datetime.timedelta(days=1)).replace(day=1),
            following=following,
            rows=rows,
            totals=totals,
        )
        return context
