"""The owner's pages for teams and for limiting a staff user to assigned customers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from accounts.policies import access_staff_member
from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for

from ..access import staff_customer_access_set, team_delete, team_save
from ..team_forms import StaffCustomerAccessForm, TeamForm
from ..teams import Team


def _team_crumbs(*tail):
    return [
        ("Settings", reverse("core:settings")),
        ("Team", reverse("core:team")),
        *tail,
    ]


class OwnerPageMixin(ConsoleAccessMixin, BreadcrumbsMixin):
    required_capability = Capability.MANAGE_TENANT
    nav_section = "settings"

    def role_allows(self, request) -> bool:
        """Role first (403), then the record (404), like the shared form views."""
        return user_can(request.user, self.required_capability)


class TeamListView(OwnerPageMixin, TemplateView):
    template_name = "customers/teams.html"

    def get_breadcrumbs(self):
        return _team_crumbs(("Teams", None))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["teams"] = (
            Team.objects.annotate(customer_count=Count("customers", distinct=True))
            .prefetch_related("members")
            .order_by("name")
        )
        return context


class TeamFormView(OwnerPageMixin, FormView):
    """Add (no pk) or edit a team."""

    template_name = "core/object_form.html"
    form_class = TeamForm

    def dispatch(self, request, *args, **kwargs):
        self.team = None
        if "pk" in kwargs and self.role_allows(request):
            self.team = access(Team, scope_for(request.user), kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "team": self.team}

    def get_breadcrumbs(self):
        return _team_crumbs(
            ("Teams", reverse("customers:team_list")),
            (str(self.team) if self.team else "Add a team", None),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Edit team {self.team}" if self.team else "Add a team"
        context["cancel_url"] = reverse("customers:team_list")
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            team = team_save(
                team=self.team,
                name=data["name"],
                description=data["description"],
                members=data["members"],
                customers=form.chosen_customers(),
                actor=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved team {team}.")
        return redirect("customers:team_list")


class TeamDeleteView(OwnerPageMixin, TemplateView):
    template_name = "core/confirm_action.html"

    def dispatch(self, request, *args, **kwargs):
        self.team = None
        if self.role_allows(request):
            self.team = access(Team, scope_for(request.user), kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return _team_crumbs(("Teams", reverse("customers:team_list")), ("Delete", None))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.team,
            verb="Delete",
            button_class="btn-danger",
            explanation="Its members keep their other teams and assignments; limited members "
            "lose sight of this team's customers.",
        )
        return context

    def post(self, request, *args, **kwargs):
        name = str(self.team)
        team_delete(team=self.team, actor=request.user)
        messages.success(request, f"Deleted team {name}.")
        return redirect("customers:team_list")


class StaffCustomerAccessView(OwnerPageMixin, FormView):
    """Which customers one staff user sees: all, or their teams' and assigned ones."""

    template_name = "customers/staff_access.html"
    form_class = StaffCustomerAccessForm

    def dispatch(self, request, *args, **kwargs):
        self.member = None
        if self.role_allows(request):
            self.member = access_staff_member(scope_for(request.user), kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "member": self.member}

    def get_breadcrumbs(self):
        return _team_crumbs((f"Customer access of {self.member}", None))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(member=self.member, cancel_url=reverse("core:team"))
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            staff_customer_access_set(
                member=self.member,
                access=data["access"],
                teams=data["teams"],
                customers=form.chosen_customers(),
                actor=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved the customer access of {self.member}.")
        return redirect("core:team")
