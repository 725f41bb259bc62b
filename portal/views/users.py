"""The company's users, their roles and permission sets, and one's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from accounts.mfa_policy import has_second_factor
from accounts.models import SignInEvent
from accounts.services import second_factor_reset
from accounts.views import ApiTokensMixin
from core.forms import add_service_errors
from core.querysets import access
from core.scope import scope_for
from portal import services
from portal.forms import CustomerUserInviteForm, PermissionSetForm, RoleChangeForm
from portal.models import JoinRequest, Membership, PermissionSet, PortalPermission

from ..policies import portal_can
from .base import PAGE_SIZE, PortalMixin, base_url


class UsersView(PortalMixin, TemplateView):
    template_name = "portal/users.html"
    section = "users"
    required_permission = PortalPermission.VIEW_USERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = (
            Membership.objects.filter(customer=self.company)
            .select_related("user", "permission_set")
            .annotate(
                last_sign_in=Max(
                    "user__sign_in_events__created_at",
                    filter=Q(user__sign_in_events__succeeded=True),
                )
            )
            .order_by("user__first_name", "user__last_name", "user__email")
        )
        page = Paginator(members, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(page_obj=page, members=page.object_list)
        if PortalPermission.MANAGE_USERS in context["perms"]:
            context["join_requests"] = JoinRequest.objects.filter(
                customer=self.company, status=JoinRequest.Status.PENDING
            )
            context["seats"] = services.seat_usage(self.company)
        return context


class UserInviteView(PortalMixin, FormView):
    template_name = "portal/user_form.html"
    section = "users"
    required_permission = PortalPermission.MANAGE_USERS
    form_class = CustomerUserInviteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user, "customer": self.company}

    def get_context_data(self, **kwargs):
        return super().get_context_data(seats=services.seat_usage(self.company), **kwargs)

    def form_valid(self, form):
        try:
            membership = form.create_customer_user(
                customer=self.company, actor=self.request.user, base_url=base_url(self.request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Invitation sent to {membership.user.email}.")
        return redirect("portal:users", cid=self.company.pk)


class UserDetailView(PortalMixin, FormView):
    """A user of the company: recent activity; for admins, role and account actions."""

    template_name = "portal/user_detail.html"
    section = "users"
    required_permission = PortalPermission.VIEW_USERS
    form_class = RoleChangeForm

    def get_membership(self) -> Membership:
        return access(
            Membership.objects.select_related("user", "permission_set").filter(
                customer=self.company
            ),
            scope_for(self.request.user),
            self.kwargs["mid"],
        )

    def get_form_kwargs(self):
        self.membership = self.get_membership()
        initial = {
            "role": self.membership.role,
            "sections": self.membership.sections,
            "permission_set": self.membership.permission_set_id,
        }
        return {
            **super().get_form_kwargs(),
            "actor": self.request.user,
            "customer": self.company,
            "initial": initial,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.membership
        context["activity"] = SignInEvent.objects.filter(user=self.membership.user)[:10]
        context["is_self"] = self.membership.user_id == self.request.user.pk
        context["has_two_factor"] = has_second_factor(self.membership.user)
        return context

    def post(self, request, *args, **kwargs):
        if not portal_can(request.user, PortalPermission.MANAGE_USERS):
            raise PermissionDenied("Your role does not include managing users.")
        action = request.POST.get("action", "role")
        if action == "role":
            return super().post(request, *args, **kwargs)
        membership = self.get_membership()
        try:
            if action in ("deactivate", "reactivate"):
                services.customer_user_set_active(
                    membership=membership, active=action == "reactivate", actor=request.user
                )
                messages.success(request, f"{membership.user.email} {action}d.")
            elif action == "remove":
                email = membership.user.email
                services.customer_user_remove(membership=membership, actor=request.user)
                messages.success(request, f"Removed {email}.")
                return redirect("portal:users", cid=self.company.pk)
            elif action == "reset":
                services.send_password_reset_link(user=membership.user, base_url=base_url(request))
                messages.success(request, f"Sent a password reset link to {membership.user.email}.")
            elif action == "reset_two_factor":
                second_factor_reset(
                    user=membership.user,
                    actor=request.user,
                    reason=request.POST.get("reason", ""),
                    base_url=base_url(request),
                )
                messages.success(
                    request,
                    f"Reset the two-factor authentication of {membership.user.email}; "
                    "they have been emailed.",
                )
            else:
                messages.error(request, "Unknown action; nothing changed.")
        except PermissionDenied as denied:
            messages.error(request, str(denied))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("portal:user_detail", cid=self.company.pk, mid=membership.pk)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.customer_user_change_role(
                membership=self.membership,
                role=data["role"],
                sections=data.get("sections"),
                permission_set=data.get("permission_set"),
                actor=self.request.user,
            )
        except PermissionDenied as denied:
            messages.error(self.request, str(denied))
            return redirect("portal:user_detail", cid=self.company.pk, mid=self.membership.pk)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Role saved.")
        return redirect("portal:user_detail", cid=self.company.pk, mid=self.membership.pk)


class PermissionSetsView(PortalMixin, TemplateView):
    template_name = "portal/permission_sets.html"
    section = "users"
    required_permission = PortalPermission.MANAGE_USERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["permission_sets"] = PermissionSet.objects.filter(customer=self.company).annotate(
            members=Count("membership")
        )
        context["labels"] = dict(PortalPermission.choices)
        return context


class PermissionSetEditView(PortalMixin, FormView):
    template_name = "portal/permission_set_form.html"
    section = "users"
    required_permission = PortalPermission.MANAGE_USERS
    form_class = PermissionSetForm

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "customer": self.company}
        if "sid" in self.kwargs:
            kwargs["instance"] = access(
                PermissionSet.objects.filter(customer=self.company),
                scope_for(self.request.user),
                self.kwargs["sid"],
                "change",
            )
        return kwargs

    def form_valid(self, form):
        try:
            permission_set = services.permission_set_save(
                company=self.company,
                permission_set=form.instance if form.instance.pk else None,
                name=form.cleaned_data["name"],
                permissions=form.cleaned_data["permissions"],
                actor=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved the permission set “{permission_set.name}”.")
        return redirect("portal:permission_sets", cid=self.company.pk)


class ApiTokensView(PortalMixin, ApiTokensMixin, FormView):
    """A customer user's own API tokens (any portal role: a token can do only what the
    role allows, through /api/v1/portal/companies/<cid>/…)."""

    template_name = "portal/api_tokens.html"
    section = "api_tokens"
    required_permission = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["example_path"] = f"portal/companies/{self.company.pk}/users/"
        return context
