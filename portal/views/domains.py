"""A company's email domains in the portal (its customer admins claim, prove and remove
them) and the public page a mailed verification link opens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import FormView

from core.forms import add_service_errors
from core.generic import ObjectDetailView
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for
from customers.views.detail import CustomerPageMixin
from portal import domains
from portal.forms import DomainForm
from portal.models import CompanyDomain, CompanyProfile, PortalPermission

from .base import PortalMixin, base_url


def _text(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


def do_domain_action(request, row, action: str) -> None:
    """Check a claimed domain's DNS record, mail it a verification link or remove it, with the
    outcome as a message (the portal's and the console's domain pages alike)."""
    try:
        if action == "check":
            row = domains.domain_verify_by_dns(company_domain=row, actor=request.user)
            messages.success(request, f"{row.display} is verified.")
        elif action == "send":
            address = request.POST.get("address", "")
            domains.domain_send_verification_link(
                company_domain=row, address=address, actor=request.user, base_url=base_url(request)
            )
            messages.success(
                request, f"A link is on its way to {address.strip().lower()}; it works for 3 days."
            )
        elif action == "remove":
            domains.domain_remove(company_domain=row, actor=request.user)
            messages.success(request, f"{row.display} removed.")
        else:
            raise Http404("Unknown action")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _text(error))


class DomainsView(PortalMixin, FormView):
    """The company's domains: each with its state and the two ways to prove it; a form to
    add one. Customer admins only (joining by a domain adds users)."""

    template_name = "portal/domains.html"
    section = "settings"
    required_permission = PortalPermission.MANAGE_USERS
    form_class = DomainForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(
            CompanyDomain.objects.restrict(scope_for(self.request.user))
            .filter(customer=self.company)
            .select_related("verified_by")
            .order_by("domain")
        )
        for row in rows:
            row.addresses = domains.verification_addresses(row, self.request.user)
        context["domains"] = rows
        context["join_allowed"] = CompanyProfile.objects.filter(
            customer=self.company, allow_domain_join=True
        ).exists()
        context["txt_prefix"] = domains.TXT_PREFIX
        return context

    def form_valid(self, form):
        try:
            row = domains.domain_add(
                customer=self.company, domain=form.cleaned_data["domain"], actor=self.request.user
            )
        except PermissionDenied as denied:
            messages.error(self.request, str(denied))
            return redirect("portal:domains", cid=self.company.pk)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{row.display} added. Prove it is yours with a DNS record or a mailed link below.",
        )
        return redirect("portal:domains", cid=self.company.pk)


class DomainActionView(PortalMixin, View):
    """Check the DNS record, mail a verification link, or remove a domain (POST ``action``)."""

    section = "settings"
    required_permission = PortalPermission.MANAGE_USERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        row = access(
            CompanyDomain.objects.filter(customer=self.company),
            scope_for(request.user),
            kwargs["did"],
            "change",
        )
        do_domain_action(request, row, request.POST.get("action", ""))
        return redirect("portal:domains", cid=self.company.pk)


class DomainVerifyView(View):
    """A mailed link: whoever controls the admin mailbox confirms with a button (a mail
    scanner fetching the link verifies nothing). Invalid links are a 400 for everyone."""

    template_name = "portal/domains_verify.html"

    def get(self, request, token: str):
        row = domains.domain_for_link(token)
        if row is None:
            return render(request, self.template_name, {"state": "invalid"}, status=400)
        return render(request, self.template_name, {"state": "confirm", "row": row})

    def post(self, request, token: str):
        try:
            row = domains.domain_verify_by_link(token=token, actor=request.user)
        except ValidationError as error:
            return render(
                request,
                self.template_name,
                {"state": "invalid", "message": _text(error)},
                status=400,
            )
        return render(request, self.template_name, {"state": "done", "row": row})


class CustomerDomainsView(CustomerPageMixin, ObjectDetailView):
    """The console's side (under the customer's Users tab): a company's email domains; staff
    who manage records add, prove and remove them for the company (e.g. a domain claimed by
    the wrong company, when its admins "contact support")."""

    template_name = "portal/domains_console.html"
    tab = "users"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(
            CompanyDomain.objects.restrict(scope_for(self.request.user))
            .filter(customer=self.object)
            .select_related("verified_by")
            .order_by("domain")
        )
        for row in rows:
            row.addresses = domains.verification_addresses(row, None)
        context["domains"] = rows
        context["can_manage"] = user_can(self.request.user, Capability.MANAGE_RECORDS) and (
            self.object.deleted_at is None
        )
        context["form"] = kwargs.get("form") or DomainForm()
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not user_can(request.user, Capability.MANAGE_RECORDS):
            raise PermissionDenied("Only admins manage a company's email domains.")
        action = request.POST.get("action", "")
        if action == "add":
            form = DomainForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form))
            try:
                row = domains.domain_add(
                    customer=self.object, domain=form.cleaned_data["domain"], actor=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
                return self.render_to_response(self.get_context_data(form=form))
            messages.success(request, f"{row.display} added, not verified yet.")
            return redirect("portal:customer_domains", pk=self.object.pk)
        row = access(
            CompanyDomain.objects.filter(customer=self.object),
            scope_for(request.user),
            request.POST.get("did"),
            "change",
        )
        do_domain_action(request, row, action)
        return redirect("portal:customer_domains", pk=self.object.pk)
