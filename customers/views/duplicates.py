"""The add-customer wizard's duplicate check while typing (htmx): customers that look like
the one being added, by name, website or email (the company's or any contact's)."""

from __future__ import annotations

from django.views.generic import TemplateView

from core.mixins import ConsoleAccessMixin
from core.policies import Capability, user_can
from core.scope import scope_for
from customers import services

MAX_TERM = 200


class CustomerDuplicateCheckView(ConsoleAccessMixin, TemplateView):
    """``?name=…&website=…&email=…`` (or the wizard's prefixed fields, ``company-name``…):
    the likely duplicates within the user's scope, as a small panel."""

    required_capability = Capability.EDIT_RECORDS
    template_name = "customers/partials/duplicate_check.html"
    email_fields = ("company_email", "contact_email", "billing_email", "email")

    def value(self, name: str) -> str:
        for key, value in self.request.GET.items():
            if key == name or key.endswith(f"-{name}"):
                return value.strip()[:MAX_TERM]
        return ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        name, website = self.value("name"), self.value("website")
        emails = tuple(e for e in (self.value(f) for f in self.email_fields) if e)
        found = []
        if len(name) >= 3 or website or emails:
            found = services.likely_duplicates(
                name=name, website=website, emails=emails, scope=scope_for(self.request.user)
            )
        context.update(
            duplicates=found,
            checked=bool(name or website or emails),
            can_merge=user_can(self.request.user, Capability.MANAGE_RECORDS),
        )
        return context
