"""The console's side of the portal: a customer's users tab and its troubleshooting actions."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, OuterRef, Q
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts.mfa_policy import FACTOR_TYPES
from accounts.services import second_factor_reset
from core.forms import add_service_errors
from core.generic import ObjectDetailView
from core.mixins import ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for
from customers.models import Customer
from customers.views.detail import CustomerPageMixin
from portal import services
from portal.forms import CustomerUserInviteForm
from portal.models import Membership

from .base import base_url


class CustomerUsersView(CustomerPageMixin, ObjectDetailView):
    """The customer page's Users tab: who can sign in to the company's portal, and the
    troubleshooting staff need (resend the welcome, reset link, unlock, a new admin)."""

    template_name = "portal/console_customer_users.html"
    tab = "users"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = (
            Membership.objects.filter(customer=self.object)
            .select_related("user")
            .annotate(
                last_sign_in=Max(
                    "user__sign_in_events__created_at",
                    filter=Q(user__sign_in_events__succeeded=True),
                ),
                has_two_factor=Exists(
                    Authenticator.objects.filter(user_id=OuterRef("user_id"), type__in=FACTOR_TYPES)
                ),
            )
        )
        context["troubleshooting"] = [
            ("resend", "Resend the welcome email"),
            ("reset", "Send a password reset link"),
            ("unlock", "Unlock sign-in (after too many failed attempts)"),
        ]
        if user_can(self.request.user, Capability.MANAGE_RECORDS) and not self.object.deleted_at:
            context["form"] = kwargs.get("form") or CustomerUserInviteForm(
                actor=self.request.user,
                customer=self.object,
                allow_password=True,
                initial={"role": "admin"},
            )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not user_can(request.user, Capability.MANAGE_RECORDS):
            raise PermissionDenied("Only admins create customer users.")
        form = CustomerUserInviteForm(
            request.POST, actor=request.user, customer=self.object, allow_password=True
        )
        if form.is_valid():
            try:
                membership = form.create_customer_user(
                    customer=self.object, actor=request.user, base_url=base_url(request)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Created {membership.user.email}; the welcome email is on its way."
                )
                return redirect("portal:customer_users", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form))


class CustomerUserActionView(ConsoleAccessMixin, TemplateView):
    required_capability = Capability.MANAGE_RECORDS
    http_method_names = ["post"]

    def post(self, request, pk: int, mid: int):
        scope = scope_for(request.user)
        customer = access(Customer, scope, pk)
        membership = access(
            Membership.objects.select_related("user").filter(customer=customer),
            scope,
            mid,
            "change",
        )
        user, action = membership.user, request.POST.get("action")
        try:
            if action == "resend":
                services.customer_user_resend_invitation(
                    membership=membership, actor=request.user, base_url=base_url(request)
                )
                messages.success(request, f"Sent a new welcome email to {user.email}.")
            elif action == "reset":
                services.send_password_reset_link(user=user, base_url=base_url(request))
                messages.success(request, f"Sent a password reset link to {user.email}.")
            elif action == "reset_two_factor":
                second_factor_reset(
                    user=user,
                    actor=request.user,
                    reason=request.POST.get("reason", ""),
                    base_url=base_url(request),
                )
                messages.success(
                    request,
                    f"Reset the two-factor authentication of {user.email}; they have been emailed.",
                )
            elif action == "unlock":
                services.unlock_sign_in(request=request, user=user)
                messages.success(request, f"{user.email} can try to sign in again.")
            elif action == "change_email":
                services.change_email_with_verification(
                    request=request, user=user, new_email=request.POST.get("email", "")
                )
                messages.success(
                    request,
                    "Sent a verification link to the new address; the old one works until it is confirmed.",
                )
            else:
                messages.error(request, "Unknown action; nothing changed.")
        except PermissionDenied as denied:
            messages.error(request, str(denied))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("portal:customer_users", pk=customer.pk)
