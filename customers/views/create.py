"""Adding customers (the wizard and quick add) and the customer picker's options."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import TemplateView
from formtools.wizard.views import SessionWizardView

from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.scope import scope_for
from customers import reactions, services
from customers.forms import (
    EDITABLE_FIELDS,
    AdminStepForm,
    CompanyStepForm,
    ContactStepForm,
    ExtrasStepForm,
    QuickAddForm,
    ReviewStepForm,
)
from customers.models import Customer
from customers.models_contacts import PEOPLE_FIELDS
from customers.services_contacts import contacts_from_customer_fields
from fields.values import definitions_for, display

from .list import customers_crumb


def added_url(customer: Customer, user, emails: tuple[str, ...] = ()) -> str:
    """The new customer's page; when it still looks like another customer (added anyway),
    the page offers to merge the two."""
    found = services.likely_duplicates(
        name=customer.name,
        website=customer.website,
        emails=(customer.company_email, *emails),
        exclude_id=customer.pk,
        limit=1,
        scope=scope_for(user),
    )
    url = customer.get_absolute_url()
    return f"{url}?possible_duplicate={found[0].pk}" if found else url


class CustomerCreateWizard(ConsoleAccessMixin, BreadcrumbsMixin, SessionWizardView):
    """Company information → contact & address → custom attributes & notes → review."""

    required_capability = Capability.EDIT_RECORDS
    form_list = [
        ("company", CompanyStepForm),
        ("contact", ContactStepForm),
        ("extras", ExtrasStepForm),
        ("admin", AdminStepForm),
        ("review", ReviewStepForm),
    ]
    step_titles = {
        "company": "Company information",
        "contact": "Contact & address",
        "extras": "Custom attributes & notes",
        "admin": "Customer admin (optional)",
        "review": "Review",
    }
    # Only admins create customer admins (the portal invites them); for others the step is
    # skipped.
    condition_dict = {
        "admin": lambda wizard: (
            user_can(wizard.request.user, Capability.MANAGE_RECORDS)
            and reactions.can_invite_admin()
        )
    }
    template_name = "customers/customer_wizard.html"
    nav_section = "customers"

    def get_breadcrumbs(self):
        return [customers_crumb(), ("Add customer", None)]

    def get_form_kwargs(self, step=None):
        if step == "review":
            return {"duplicates": self.duplicates()}
        return {"user": self.request.user}

    def collected(self) -> dict:
        data = {}
        for step in ("company", "contact", "extras"):
            data.update(self.get_cleaned_data_for_step(step) or {})
        return data

    def duplicates(self):
        data = self.collected()
        if not data.get("name"):
            return []
        return services.likely_duplicates(
            scope=scope_for(self.request.user),
            name=data["name"],
            website=data.get("website", ""),
            emails=tuple(
                data.get(f, "") for f in ("company_email", "contact_email", "billing_email")
            ),
        )

    def post(self, *args, **kwargs):
        """A step name the wizard does not have (a tampered hidden field) shows the current
        step again with a message; formtools would look it up and fail (a 500)."""
        posted = self.request.POST.get(f"{self.prefix}-current_step")
        if posted is not None and posted not in self.get_form_list():
            messages.error(self.request, "That step does not exist; please continue from here.")
            return self.render(self.get_form())
        return super().post(*args, **kwargs)

    def render_goto_step(self, goto_step, **kwargs):
        """Going back keeps what was typed on the current step (validated at the end)."""
        form = self.get_form(data=self.request.POST, files=self.request.FILES)
        self.storage.set_step_data(self.steps.current, self.process_step(form))
        return super().render_goto_step(goto_step, **kwargs)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        steps = list(self.get_form_list())
        current = steps.index(self.steps.current)
        context["step_list"] = [
            {
                "key": key,
                "title": self.step_titles[key],
                "done": i < current,
                "current": i == current,
            }
            for i, key in enumerate(steps)
        ]
        context["step_title"] = self.step_titles[self.steps.current]
        if self.steps.current == "review":
            context["summary"] = self.summary()
            context["duplicates"] = form.duplicates
        return context

    def summary(self) -> list[tuple[str, str]]:
        data = self.collected()
        rows = self.company_summary(data)
        admin = (
            (self.get_cleaned_data_for_step("admin") or {})
            if "admin" in self.get_form_list()
            else {}
        )
        if admin.get("email"):
            rows.append(
                (
                    "Customer admin",
                    f"{admin['first_name']} {admin['last_name']} <{admin['email']}> — invited by email",
                )
            )
        return rows

    def company_summary(self, data) -> list[tuple[str, str]]:
        preview = Customer(
            **{k: v for k, v in data.items() if k != "parent" and k not in PEOPLE_FIELDS}
        )
        people = ContactStepForm.base_fields
        rows = [
            (str(people[name].label), str(data[name]))
            for name in PEOPLE_FIELDS
            if data.get(name) not in (None, "")
        ]
        for name in EDITABLE_FIELDS:
            value = data.get(name)
            if value in (None, "", {}):
                continue
            field = Customer._meta.get_field(name)
            if field.choices:
                shown = getattr(preview, f"get_{name}_display")()
            elif name == "custom_field_data":
                shown = "; ".join(
                    f"{d.label}: {display(d, value[d.key])}"
                    for d in definitions_for("customer")
                    if d.key in value
                )
            elif name in ("country", "billing_country"):
                shown = getattr(preview, name).name
            else:
                shown = str(value)
            rows.append((str(field.verbose_name).capitalize(), shown))
        return rows

    def done(self, form_list, **kwargs):
        data = self.collected()
        admin = (
            (self.get_cleaned_data_for_step("admin") or {})
            if "admin" in self.get_form_list()
            else {}
        )
        # The step's primary and billing contact become contacts with those roles (one
        # contact when they are the same person); the customer's old contact columns are
        # left empty.
        people = {name: data.pop(name, "") for name in PEOPLE_FIELDS}
        try:
            with transaction.atomic():
                customer = services.customer_create(actor=self.request.user, **data)
                contacts_from_customer_fields(
                    customer=customer, fields=people, actor=self.request.user
                )
                if admin.get("email"):
                    reactions.invite_customer_admin(
                        customer=customer,
                        email=admin["email"],
                        first_name=admin["first_name"],
                        last_name=admin["last_name"],
                        actor=self.request.user,
                        base_url=self.request.build_absolute_uri("/"),
                    )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect("customers:customer_create")
        invited = f" and invited {admin['email']} as its admin" if admin.get("email") else ""
        messages.success(self.request, f"Added {customer}{invited}.")
        emails = (people.get("contact_email", ""), people.get("billing_email", ""))
        return redirect(added_url(customer, self.request.user, emails))


class CustomerQuickAddView(ConsoleAccessMixin, TemplateView):
    """Add with only a name. Shown in a dialog (htmx) or as a page without JavaScript."""

    required_capability = Capability.EDIT_RECORDS
    template_name = "customers/quick_add.html"
    partial_template_name = "customers/partials/quick_add_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_form(QuickAddForm(user=request.user))

    def post(self, request, *args, **kwargs):
        form = QuickAddForm(request.POST, user=request.user)
        duplicates = []
        if form.is_valid():
            name = form.cleaned_data["name"]
            if not form.cleaned_data.get("confirm_not_duplicate"):
                duplicates = services.likely_duplicates(name=name, scope=scope_for(request.user))
            if not duplicates:
                try:
                    customer = services.customer_create(
                        actor=request.user, name=name, parent=form.cleaned_data.get("parent")
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                    return self.render_form(form)
                messages.success(request, f"Added {customer}.")
                url = added_url(customer, request.user)
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        return self.render_form(form, duplicates=duplicates)

    def render_form(self, form, duplicates=()):
        context = {"form": form, "duplicates": duplicates, "nav_section": "customers"}
        template = self.partial_template_name if self.request.htmx else self.template_name
        return render(self.request, template, context)


class CustomerAutocompleteView(ConsoleAccessMixin, TemplateView):
    """Options for customer pickers. Archived customers only appear when searched for."""

    template_name = "customers/partials/autocomplete_options.html"
    limit = 10

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        term = (self.request.GET.get("autocomplete_q") or self.request.GET.get("q") or "").strip()[
            :100
        ]
        customers = Customer.objects.visible_to(self.request.user)
        exclude = self.request.GET.get("exclude", "")
        if exclude.isdigit():
            customers = customers.exclude(pk=int(exclude))
        # Archived customers leave dropdowns, but come back when searched for.
        customers = customers.search(term) if term else customers.filter(is_archived=False)
        context["options"] = customers.order_by("is_archived", "name").only(
            "pk", "name", "is_archived", "city"
        )[: self.limit]
        context["term"] = term
        return context
