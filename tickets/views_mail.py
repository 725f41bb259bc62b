"""The owner's mail-in settings: the IMAP mailbox the worker reads besides the Maildir
folder, with a button that signs in and says how many messages wait."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, View

from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability

from . import imap
from .models_mail import MailInSettings


class MailInForm(forms.ModelForm):
    password = forms.CharField(
        label="Password",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    field_order = [*imap.FIELDS[:-1], "password", imap.FIELDS[-1]]  # with the user name

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = (
            "Leave empty to keep the stored one (never shown again)."
            if self.instance.imap_password
            else "The mailbox's password, needed to turn reading on (never shown again)."
        )

    class Meta:
        model = MailInSettings
        fields = [*imap.FIELDS]
        help_texts = {
            "imap_host": "E.g. imap.your-provider.com. It must be reachable from the internet "
            "(or allowed for your workspace by the platform).",
            "imap_folder": "Messages read from it are deleted once they are tickets or replies.",
        }

    def _post_clean(self):
        pass  # the service checks (tickets.imap.mail_in_save)


class MailInView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    required_capability = Capability.MANAGE_TENANT
    template_name = "tickets/mail_in.html"
    form_class = MailInForm
    nav_section = "settings"

    def get_breadcrumbs(self):
        return [("Settings", reverse("core:settings")), ("Support mail", None)]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": imap.mail_in_settings()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(settings_row=imap.mail_in_settings())
        return context

    def form_invalid(self, form):
        """The form again with what to fix, as 400 like every other console form."""
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in imap.FIELDS}
        try:
            imap.mail_in_save(
                actor=self.request.user, data=data, password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Support mail settings saved.")
        return redirect("tickets:mail_in")


class MailInTestView(ConsoleAccessMixin, View):
    required_capability = Capability.MANAGE_TENANT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            waiting = imap.mail_in_test(actor=request.user)
        except imap.ImapProblem as problem:
            messages.error(request, f"Could not read the mailbox. {problem}")
        else:
            messages.success(
                request, f"Signed in: {waiting} unread message{'s' if waiting != 1 else ''} wait."
            )
        return redirect("tickets:mail_in")
