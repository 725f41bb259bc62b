"""The owner's "Personal data" page: look a person up by email address, download what is
held about them, erase them. Addresses travel in POST bodies, never in URLs (logs, history)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability

from . import services
from .models import ErasureRecord


class LookupForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)


class EraseForm(LookupForm):
    email = forms.EmailField(widget=forms.HiddenInput, max_length=254)
    confirm = forms.CharField(
        label="Type the email address again to confirm", max_length=254, required=True
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="e.g. “Request received by letter on 2026-11-30”. "
        "Leave the person's email, name and phone out.",
    )

    def clean(self):
        data = super().clean()
        email, confirm = data.get("email", ""), (data.get("confirm") or "").strip().lower()
        if email and confirm != email.lower():
            self.add_error("confirm", "Type exactly the address being erased.")
        return data


class PersonalDataMixin(ConsoleAccessMixin, BreadcrumbsMixin):
    required_capability = Capability.MANAGE_TENANT
    requires_unlimited_scope = True
    nav_section = "settings"
    template_name = "privacy/person.html"

    def get_breadcrumbs(self):
        return [("Settings", reverse("core:settings")), ("Personal data", None)]

    def page(self, request, **context):
        context.setdefault("form", LookupForm())
        context["breadcrumbs"] = self.get_breadcrumbs()
        context["nav_section"] = self.nav_section
        context["erasures"] = ErasureRecord.objects.select_related("actor")[:20]
        return render(request, self.template_name, context)

    def found(self, request, email: str, erase_form: EraseForm | None = None):
        try:
            person = services.person_find(email=email)
        except ValidationError as error:
            form = LookupForm(request.POST)
            form.is_valid()
            add_service_errors(form, error)
            return self.page(request, form=form)
        erase_form = erase_form or EraseForm(initial={"email": person.email})
        return self.page(
            request, form=LookupForm(initial={"email": email}), person=person, erase_form=erase_form
        )


class PersonalDataView(PersonalDataMixin, View):
    """GET: the look-up form and the erasures made so far; POST: what is held about one
    address, with the export and erase buttons."""

    def get(self, request):
        return self.page(request)

    def post(self, request):
        form = LookupForm(request.POST)
        if not form.is_valid():
            return self.page(request, form=form)
        return self.found(request, form.cleaned_data["email"])


class PersonalDataExportView(PersonalDataMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = LookupForm(request.POST)
        if not form.is_valid():
            return self.page(request, form=form)
        try:
            name, content_type, content = services.person_export(email=form.cleaned_data["email"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.page(request, form=form)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class PersonalDataEraseView(PersonalDataMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = EraseForm(request.POST)
        email = (request.POST.get("email") or "").strip()
        if not form.is_valid():
            return self.found(request, email, erase_form=form)
        try:
            record = services.person_erase(
                email=form.cleaned_data["email"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            # The address is a hidden field here: its errors go on top of the form.
            for name, errors in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(name if name in ("confirm", "reason") else None, errors)
            return self.found(request, email, erase_form=form)
        messages.success(
            request,
            f"Erased: {record.total_rows} row{'s' if record.total_rows != 1 else ''} changed, "
            f"{record.accounts_deactivated} account(s) deactivated. The erasure is recorded "
            "below without the person's data.",
        )
        return redirect("core:personal_data")
