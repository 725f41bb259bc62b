"""The company's overview and settings."""

from __future__ import annotations

import copy
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.models import SignInEvent
from assets.models import Asset
from customers.models_contacts import PRIMARY
from customers.services_contacts import role_contacts
from locations.models import Location
from portal import services
from portal.forms import CompanyDetailsForm, CompanyProfileForm, CompanyTwoFactorForm
from portal.models import CompanyProfile, Membership, PortalPermission
from portal.security import company_two_factor_set, users_without_second_factor

from ..policies import portal_can
from .base import PortalMixin


class OverviewView(PortalMixin, TemplateView):
    template_name = "portal/overview.html"
    section = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        since = timezone.now() - timedelta(days=30)
        members = Membership.objects.filter(customer=self.company)
        context["users"] = members.aggregate(
            total=Count("pk"), active=Count("pk", filter=Q(user__last_login__gte=since))
        )
        context["sign_ins"] = SignInEvent.objects.filter(
            user__membership__customer=self.company, succeeded=True, created_at__gte=since
        ).count()
        context["locations"] = Location.objects.filter(
            customer=self.company, is_archived=False
        ).count()
        context["primary_contact"] = role_contacts(self.company).get(PRIMARY)
        context["assets"] = Asset.objects.filter(
            Q(owner=self.company) | Q(location__customer=self.company), is_archived=False
        ).count()
        context["subaccounts"] = [c for c in context["companies"] if c.parent_id == self.company.pk]
        return context


def primary_contact_changes(form) -> dict | None:
    """The primary contact's name, email and phone as typed, when they differ from what the
    form showed (None: leave the contact alone)."""
    typed = {
        "name": form.cleaned_data["contact_name"],
        "email": form.cleaned_data["contact_email"],
        "phone": form.cleaned_data["contact_phone"] or "",
    }
    shown = [form.fields[f"contact_{key}"].initial or "" for key in typed]
    if [str(value) for value in typed.values()] == [str(value) for value in shown]:
        return None
    return typed


class SettingsView(PortalMixin, TemplateView):
    """The company's contact details and portal profile, saved together by
    ``company_settings_update`` (a concurrent change is a message, not a lost update)."""

    template_name = "portal/settings.html"
    section = "settings"
    required_permission = PortalPermission.MANAGE_SETTINGS

    def forms(self, data=None, files=None):
        # Copies: the forms set what was typed on their instances.
        profile = CompanyProfile.objects.filter(customer=self.company).first()
        return (
            CompanyDetailsForm(
                data,
                instance=copy.copy(self.company),
                prefix="details",
                primary_contact=role_contacts(self.company).get(PRIMARY),
            ),
            CompanyProfileForm(
                data,
                files,
                instance=profile or CompanyProfile(customer=self.company),
                prefix="profile",
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "details_form" not in kwargs:
            context["details_form"], context["profile_form"] = self.forms()
        if PortalPermission.MANAGE_USERS in context["perms"]:
            profile = CompanyProfile.objects.filter(customer=self.company).first()
            required = bool(profile and profile.require_two_factor)
            context["two_factor_form"] = kwargs.get("two_factor_form") or CompanyTwoFactorForm(
                initial={"require_two_factor": required}, prefix="security"
            )
            context["users_without_second_factor"] = users_without_second_factor(self.company)
        return context

    def post(self, request, *args, **kwargs):
        if "security-submit" in request.POST:
            return self.post_two_factor(request)
        details_form, profile_form = self.forms(request.POST, request.FILES)
        if details_form.is_valid() and profile_form.is_valid():
            try:
                services.company_settings_update(
                    company=self.company,
                    details={
                        name: details_form.cleaned_data[name]
                        for name in services.COMPANY_DETAILS_FIELDS
                    },
                    profile={
                        name: profile_form.cleaned_data[name]
                        for name in services.COMPANY_PROFILE_FIELDS
                    },
                    expected_version=details_form.cleaned_data.get("version"),
                    actor=request.user,
                    primary_contact=primary_contact_changes(details_form),
                )
            except ValidationError as error:
                add_errors(error, details_form, profile_form)
            else:
                messages.success(request, "Company settings saved.")
                return redirect("portal:settings", cid=self.company.pk)
        return self.render_to_response(
            self.get_context_data(details_form=details_form, profile_form=profile_form)
        )

    def post_two_factor(self, request):
        """The company's two-factor rule: its admins' (who manage its users) to change."""
        if not portal_can(request.user, PortalPermission.MANAGE_USERS):
            raise PermissionDenied("Only the company's admins decide who needs two-factor sign-in.")
        form = CompanyTwoFactorForm(request.POST, prefix="security")
        if not form.is_valid():  # only a reason too long can fail
            return self.render_to_response(self.get_context_data(two_factor_form=form))
        company_two_factor_set(
            company=self.company,
            required=form.cleaned_data["require_two_factor"],
            actor=request.user,
            reason=form.cleaned_data["reason"].strip(),
        )
        required = form.cleaned_data["require_two_factor"]
        messages.success(
            request,
            "Two-factor authentication is now required for your users: those without it set "
            "it up at their next sign-in."
            if required
            else "Two-factor authentication is now optional for your users.",
        )
        return redirect("portal:settings", cid=self.company.pk)


def add_errors(error: ValidationError, details_form, profile_form) -> None:
    """A service's errors on the form that has the field, else on the details form."""
    if not hasattr(error, "error_dict"):
        details_form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form = profile_form if name in profile_form.fields else details_form
        form.add_error(name if name in form.fields else None, errors)
