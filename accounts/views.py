"""The console's team pages (staff invitations, roles, welcome emails) and your own API
tokens (the portal's token page reuses ``ApiTokensMixin``). URL names stay in the ``core``
namespace (config/console_urls.py); the workspace settings page is the tenant's
(``tenants.views.SettingsView``)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.scope import scope_for

from .forms import (
    ApiTokenForm,
    SecondFactorResetForm,
    SecurityPolicyForm,
    StaffInviteForm,
    StaffRoleForm,
)
from .mfa_policy import FACTOR_TYPES, has_second_factor, pending_requirement
from .models import ApiToken, SecurityPolicy, SignInEvent, User
from .policies import access_staff_member, staff_visible_to
from .services import (
    second_factor_reset,
    security_policy_update,
    send_set_password_email,
    staff_invite,
    staff_update,
)
from .tokens import api_token_create, api_token_revoke, own_token


def workspace_base_url(request) -> str:
    return request.build_absolute_uri("/")


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
            last_sign_in_at=Subquery(last_sign_in),
            has_two_factor=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type__in=FACTOR_TYPES)
            ),
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


class StaffUpdateView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    """A team member's role and active flag, changed through ``staff_update``."""

    nav_section = "settings"
    required_capability = Capability.MANAGE_TENANT
    template_name = "core/staff_form.html"
    form_class = StaffRoleForm

    @cached_property
    def object(self) -> User:
        return access_staff_member(scope_for(self.request.user), self.kwargs["pk"])

    def get_initial(self):
        return {"role": self.object.role, "is_active": self.object.is_active}

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def get_breadcrumbs(self):
        return [
            ("Settings", reverse("core:settings")),
            ("Team", reverse("core:team")),
            (str(self.object), None),
        ]

    def form_valid(self, form):
        try:
            member = staff_update(
                member=self.object,
                role=form.cleaned_data["role"],
                is_active=form.cleaned_data["is_active"],
                actor=self.request.user,
            )
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
            return self.form_invalid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {member}.")
        return redirect("core:team")


class StaffResendWelcomeView(ConsoleAccessMixin, TemplateView):
    required_capability = Capability.MANAGE_TENANT
    http_method_names = ["post"]

    def post(self, request, pk: int):
        member: User = access_staff_member(scope_for(request.user), pk)
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
            token = own_token(request.user, request.POST.get("revoke"))
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


class SecurityPolicyView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    """The owner's sign-in rules for the workspace's staff (``security_policy_update``)."""

    nav_section = "settings"
    required_capability = Capability.MANAGE_TENANT
    template_name = "accounts/security_policy.html"
    form_class = SecurityPolicyForm

    def get_breadcrumbs(self):
        return [("Settings", reverse("core:settings")), ("Security", None)]

    def get_initial(self):
        policy = SecurityPolicy.current()
        return {"require_two_factor_for_staff": policy.require_two_factor_for_staff}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = SecurityPolicy.history.select_related("history_user")[:10]
        context["staff_without_two_factor"] = (
            User.objects.exclude(role="")
            .filter(is_active=True)
            .exclude(
                Exists(Authenticator.objects.filter(user=OuterRef("pk"), type__in=FACTOR_TYPES))
            )
            .count()
        )
        return context

    def form_valid(self, form):
        try:
            security_policy_update(
                require_two_factor_for_staff=form.cleaned_data["require_two_factor_for_staff"],
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Security policy saved.")
        return redirect("core:security")


class StaffTwoFactorView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    """A team member's second factor: whether they have one; the owner resets a lost one
    (``second_factor_reset``)."""

    nav_section = "settings"
    required_capability = Capability.MANAGE_TENANT
    template_name = "accounts/staff_two_factor.html"
    form_class = SecondFactorResetForm

    @cached_property
    def object(self) -> User:
        return access_staff_member(scope_for(self.request.user), self.kwargs["pk"])

    def get_breadcrumbs(self):
        return [
            ("Settings", reverse("core:settings")),
            ("Team", reverse("core:team")),
            (f"Two-factor of {self.object}", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.object
        context["authenticators"] = Authenticator.objects.filter(user=self.object).order_by("type")
        context["is_self"] = self.object.pk == self.request.user.pk
        return context

    def form_valid(self, form):
        try:
            removed = second_factor_reset(
                user=self.object,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                base_url=workspace_base_url(self.request),
            )
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
            return self.form_invalid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Removed {removed} second factor{'s' if removed != 1 else ''} of "
            f"{self.object.email}; they have been emailed.",
        )
        return redirect("core:team")


class TwoFactorSetupView(LoginRequiredMixin, TemplateView):
    """Where a person under a two-factor requirement is sent until they have a second
    factor: why, and the two ways to get one (an authenticator app, a passkey)."""

    template_name = "accounts/two_factor_setup.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["requirement"] = pending_requirement(user)
        context["has_second_factor"] = has_second_factor(user)
        return context
