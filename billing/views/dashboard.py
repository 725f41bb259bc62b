"""The console's dashboard: what needs attention (billing.attention), revenue figures and
charts (billing.figures), the team and the user's own recent sign-ins, covering the asker's
scope. A fixed number of queries whatever the tenant's size."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts.models import SignInEvent, StaffRole
from accounts.policies import staff_visible_to
from core.formats import current_locale
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.scope import scope_for

from .. import figures
from ..attention import needs_attention


class DashboardView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    template_name = "core/dashboard.html"
    breadcrumbs = [("Dashboard", None)]
    nav_section = "dashboard"

    def dispatch(self, request, *args, **kwargs):
        if scope_for(request.user).is_customer_user:
            return redirect("portal:home")  # customer users live in the portal
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = scope_for(self.request.user)
        team = staff_visible_to(self.request.user).aggregate(
            total=Count("pk"),
            active=Count("pk", filter=Q(is_active=True)),
            **{role: Count("pk", filter=Q(role=role, is_active=True)) for role in StaffRole.values},
        )
        try:
            months = int(self.request.GET.get("months", 12))
        except ValueError:
            months = 12
        analytics = figures.dashboard(months, scope)
        context.update(
            # A staff user limited to assigned customers sees their customers' figures only.
            analytics=analytics,
            attention=needs_attention(scope, current_locale().code),
            team=team,
            team_roles=[(label, team[value]) for value, label in StaffRole.choices],
            my_sign_ins=SignInEvent.objects.filter(user=self.request.user)[:5],
            # The emails tried anywhere in the workspace: not for a limited scope.
            recent_failures=SignInEvent.objects.filter(succeeded=False)[:5]
            if user_can(self.request.user, Capability.MANAGE_RECORDS) and not scope.is_limited
            else None,
        )
        return context
