"""The console's workspace pages: settings, the team (staff invitations, roles, welcome
emails) and your own API tokens (the portal's token page reuses ``ApiTokensMixin``). URL
names stay in the ``core`` namespace (config/console_urls.py)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.views.generic import FormView, TemplateView, UpdateView

from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can

from .forms import ApiTokenForm, StaffInviteForm, StaffRoleForm, WorkspaceSettingsForm
from .models import ApiToken, SignInEvent, User
from .policies import staff_visible_to
from .services import send_set_password_email, staff_invite
from .tokens import api_token_create, api_token_revoke


def workspace_base_url(request) -> str:
    return request.build_absolute_uri("/")


class SettingsView(ConsoleAccessMixin, BreadcrumbsMixin, UpdateView):
    """Workspace settings: everyone on the console reads them, only the owner changes them."""

    nav_section = "settings"
    template_name = "core/settings.html"
    form_class = WorkspaceSettingsForm
    success_url = reverse_lazy("core:settings")
    breadcrumbs = [("Settings", None)]

    def get_object(self, queryset=None):
        return self.request.tenant

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not user_can(self.request.user, Capability.MANAGE_TENANT):
            for field in form.fields.values():
                field.disabled = True
        return form

    def post(self, request, *args, **kwargs):
        if not user_can(request.user, Capability.MANAGE_TENANT):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        messages.success(self.request, "Workspace settings saved.")
        return super().form_valid(form)


class TeamView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    nav_section = "settings"
    template_name = "core/team.html"

    def get_breadcrumbs(self):
        return [("Settings", reverse("core:settings")), ("Team", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        last_sign_in = (
            SignInEvent.objects.filter(user=OuterRef("pk"), succeeded=True)
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        context["members"] = staff_visible_to(self.request.user).annotate(
            last_sign_in_at=Subquery(last_sign_in)
        )
        context["can_manage_team"] = user_can(self.request.user, Capability.MANAGE_TENANT)
        return context


class StaffInviteView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    nav_section = "settings"
    required_capability = Capability.MANAGE_TENANT
    template_name = "core/staff_form.html"
    form_class = StaffInviteForm

    def get_breadcrumbs(self):
        return [
            ("Settings", reverse("core:settings")),
            ("Team", reverse("core:team")),
            ("Invite a team member", None),
        ]

    def form_valid(self, form):
        user = staff_invite(
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            role=form.cleaned_data["role"],
            base_url=workspace_base_url(self.request),
            workspace_name=self.request.tenant.name,
            invited_by=self.request.user,
        )
        messages.success(self.request, f"Invitation sent to {user.email}.")
        return redirect("core:team")


class StaffUpdateView(ConsoleAccessMixin, BreadcrumbsMixin, UpdateView):
    nav_section = "settings"
    required_capability = Capability.MANAGE_TENANT
    template_name = "core/staff_form.html"
    form_class = StaffRoleForm
    success_url = reverse_lazy("core:team")

    def get_queryset(self):
        return staff_visible_to(self.request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def get_breadcrumbs(self):
        return [
            ("Settings", reverse("core:settings")),
            ("Team", reverse("core:team")),
            (str(self.object), None),
        ]

    def form_valid(self, form):
        messages.success(self.request, f"Saved {self.object}.")
        return super().form_valid(form)


class StaffResendWelcomeView(ConsoleAccessMixin, TemplateView):
    required_capability = Capability.MANAGE_TENANT
    http_method_names = ["post"]

    def post(self, request, pk: int):
        member: User = get_object_or_404(staff_visible_to(request.user), pk=pk)
        if member.has_usable_password():
            messages.info(request, f"{member.email} has already chosen a password.")
        else:
            send_set_password_email(
                user=member,
                base_url=workspace_base_url(request),
                workspace_name=request.tenant.name,
                invited_by=request.user,
            )
            messages.success(request, f"Sent a new set-password link to {member.email}.")
        return redirect("core:team")


class ApiTokensMixin:
    """Your own API tokens: create (the secret is shown once), see when each was last used,
    revoke. Staff use it in the console, customer users in the portal; a token acts as its
    user, with their role."""

    form_class = ApiTokenForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = ApiToken.objects.filter(user=self.request.user)
        context["api_base"] = self.request.build_absolute_uri("/api/v1/")
        return context

    def post(self, request, *args, **kwargs):
        if "revoke" in request.POST:
            token = get_object_or_404(
                ApiToken, pk=request.POST.get("revoke", "0") or 0, user=request.user
            )
            api_token_revoke(token=token)
            messages.success(request, f"Revoked {token.name}.")
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        token, secret = api_token_create(
            user=self.request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        return self.render_to_response(
            self.get_context_data(form=ApiTokenForm(), new_token=token, secret=secret)
        )


class ApiTokensView(ConsoleAccessMixin, BreadcrumbsMixin, ApiTokensMixin, FormView):
    template_name = "core/api_tokens.html"
    nav_section = "settings"

    def get_breadcrumbs(self):
        return [("Settings", reverse("core:settings")), ("API tokens", None)]
