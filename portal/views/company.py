"""The company's overview and settings."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.models import SignInEvent
from assets.models import Asset
from customers.models import Customer
from locations.models import Location
from portal.forms import CompanyDetailsForm, CompanyProfileForm
from portal.models import CompanyProfile, Membership, PortalPermission

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
        context["assets"] = Asset.objects.filter(
            Q(owner=self.company) | Q(location__customer=self.company), is_archived=False
        ).count()
        context["subaccounts"] = [c for c in context["companies"] if c.parent_id == self.company.pk]
        return context


class SettingsView(PortalMixin, TemplateView):
    template_name = "portal/settings.html"
    section = "settings"
    required_permission = PortalPermission.MANAGE_SETTINGS

    def forms(self, data=None, files=None):
        profile, _ = CompanyProfile.objects.get_or_create(customer=self.company)
        return (
            CompanyDetailsForm(
                data, instance=Customer.objects.get(pk=self.company.pk), prefix="details"
            ),
            CompanyProfileForm(data, files, instance=profile, prefix="profile"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "details_form" not in kwargs:
            context["details_form"], context["profile_form"] = self.forms()
        return context

    def post(self, request, *args, **kwargs):
        from customers.services import customer_update

        details_form, profile_form = self.forms(request.POST, request.FILES)
        if details_form.is_valid() and profile_form.is_valid():
            try:
                customer_update(
                    customer_id=self.company.pk,
                    data={
                        name: details_form.cleaned_data[name] for name in details_form.Meta.fields
                    },
                    expected_version=Customer.objects.get(pk=self.company.pk).version,
                    actor=request.user,
                )
            except ValidationError as error:
                details_form.add_error(None, error)
            else:
                profile = profile_form.save(commit=False)
                profile._history_user = request.user
                profile.save()
                messages.success(request, "Company settings saved.")
                return redirect("portal:settings", cid=self.company.pk)
        return self.render_to_response(
            self.get_context_data(details_form=details_form, profile_form=profile_form)
        )
