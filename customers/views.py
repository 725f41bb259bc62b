from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, UpdateView
from django_tables2 import RequestConfig
from formtools.wizard.views import SessionWizardView

from accounts.policies import Capability, user_can
from assets.models import Asset
from assets.tables import AssetTable
from billing.models import Project
from billing.tables import ProjectTable
from core.generic import ObjectActionView, ObjectDetailView, ObjectListView, paginate_table
from core.history import HistorySource, merged_history_page
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from locations.models import Location
from locations.tables import LocationTable

from . import services
from .filters import CustomerFilterSet
from .forms import (
    EDITABLE_FIELDS,
    AdminStepForm,
    CompanyStepForm,
    ContactStepForm,
    CustomerForm,
    ExtrasStepForm,
    LinkedAccountForm,
    QuickAddForm,
    RestoreFieldsForm,
    ReviewStepForm,
    restore_form_choices,
)
from .models import BusinessType, Customer, LinkedAccount
from .overview import customer_family_ids, customer_overview
from .tables import CustomerTable
from .tabs import CUSTOMER_TABS

CUSTOMERS_CRUMB = ("Customers", "customers:customer_list")


def customer_history_sources(customer: Customer) -> list[HistorySource]:
    """The customer's own history and that of its locations, assets and projects."""
    location_ids = Location.history.filter(customer_id=customer.pk).values("id")
    return [
        HistorySource("", Customer, customer.history.all()),
        HistorySource("Location", Location, Location.history.filter(customer_id=customer.pk)),
        HistorySource(
            "Asset",
            Asset,
            Asset.history.filter(Q(owner_id=customer.pk) | Q(location_id__in=location_ids)),
        ),
        HistorySource("Project", Project, Project.history.filter(customer_id=customer.pk)),
    ]


def customers_crumb() -> tuple[str, str]:
    return (CUSTOMERS_CRUMB[0], reverse(CUSTOMERS_CRUMB[1]))


def attach_counts(records: list) -> None:
    """Give each customer on a page its list counts (three grouped queries in all)."""
    counts = Customer.objects.count_columns([record.pk for record in records])
    for record in records:
        for column, value in counts[record.pk].items():
            setattr(record, column, value)


class CustomerListView(ObjectListView):
    model = Customer
    filterset_class = CustomerFilterSet
    table_class = CustomerTable
    template_name = "customers/customer_list.html"
    import_kind = "customers"
    export_name = "customers"
    add_url_name = "customers:customer_create"
    nav_section = "customers"
    breadcrumbs = [("Customers", None)]

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, include_deleted=True).for_list()

    def decorate_page(self, records: list) -> None:
        attach_counts(records)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(
            Customer.objects.visible_to(self.request.user)
            .live()
            .order_by()
            .values_list("business_type")
            .annotate(count=Count("*"))  # count(*): an index-only scan of customer_live_by_type
        )
        counts["total"] = sum(counts.values())
        active_type = self.request.GET.get("business_type", "")
        context["type_cards"] = [
            {
                "value": "",
                "label": "All customers",
                "count": counts["total"],
                "active": not active_type,
            },
            *[
                {
                    "value": value,
                    "label": label,
                    "count": counts.get(value, 0),
                    "active": active_type == value,
                }
                for value, label in BusinessType.choices
            ],
        ]
        context["quick_add_form"] = QuickAddForm()
        context["can_edit"] = user_can(self.request.user, Capability.EDIT_RECORDS)
        return context


class CustomerPageMixin:
    """Header, tabs and breadcrumbs shared by every tab of the customer page. With
    ``?rollup=1`` a parent's tabs cover its sub-accounts too."""

    model = Customer
    nav_section = "customers"
    context_object_name = "customer"

    @cached_property
    def rollup(self) -> bool:
        return self.request.GET.get("rollup") == "1"

    @cached_property
    def scope_ids(self) -> list[int]:
        return customer_family_ids(self.object.pk) if self.rollup else [self.object.pk]

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, include_deleted=True).for_detail()

    def get_breadcrumbs(self):
        return [customers_crumb(), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["tabs"] = [tab for tab in CUSTOMER_TABS if user_can(user, tab.capability)]
        context["rollup"] = self.rollup
        context["has_subaccounts"] = self.object.subsidiaries.filter(
            deleted_at__isnull=True
        ).exists()
        context["can_edit"] = user_can(user, Capability.EDIT_RECORDS)
        context["can_manage"] = user_can(user, Capability.MANAGE_RECORDS)
        return context


class CustomerDetailView(CustomerPageMixin, ObjectDetailView):
    template_name = "customers/customer_detail.html"
    tab = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subaccount_count"] = self.object.subsidiaries.filter(
            deleted_at__isnull=True
        ).count()
        context["overview"] = customer_overview(self.scope_ids)
        context["family_size"] = len(self.scope_ids)
        return context


class CustomerRelatedTabView(CustomerPageMixin, ObjectDetailView):
    """A tab listing records related to the customer (or its family), with the same columns
    as the main list of those records."""

    template_name = "customers/customer_related.html"
    table_class = None
    list_url_name = ""
    filter_param = ""
    empty_text = ""

    def related(self, ids):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        table = self.table_class(
            self.related(self.scope_ids), can_edit=user_can(user, Capability.EDIT_RECORDS)
        )
        RequestConfig(self.request, paginate=False).configure(table)
        paginate_table(table, self.request)
        context.update(table=table, empty_text=self.empty_text)
        if self.list_url_name and not self.rollup:
            url = reverse(self.list_url_name)
            context["full_list_url"] = f"{url}?{self.filter_param}={self.object.pk}"
        return context


class CustomerProjectsView(CustomerRelatedTabView):
    tab = "projects"
    table_class = ProjectTable
    list_url_name = "billing:project_list"
    filter_param = "customer_id"
    empty_text = "No projects yet."

    def related(self, ids):
        projects = Project.objects.visible_to(self.request.user)
        return projects.filter(customer_id__in=ids).select_related("customer")


class CustomerLocationsView(CustomerRelatedTabView):
    tab = "locations"
    table_class = LocationTable
    list_url_name = "locations:location_list"
    filter_param = "customer_id"
    empty_text = "No locations yet."

    def related(self, ids):
        locations = Location.objects.visible_to(self.request.user)
        return locations.filter(customer_id__in=ids).live().for_list()


class CustomerAssetsOnLocationView(CustomerRelatedTabView):
    """What sits at the customer's sites, whoever owns it."""

    tab = "assets_on_location"
    table_class = AssetTable
    list_url_name = "assets:asset_list"
    filter_param = "location_customer_id"
    empty_text = "No assets at this customer's locations."

    def related(self, ids):
        assets = Asset.objects.visible_to(self.request.user)
        return assets.filter(location__customer_id__in=ids).live().for_list()


class CustomerAssetsOwnedView(CustomerRelatedTabView):
    """What the customer owns, wherever it is (at another site, or back with us for repair)."""

    tab = "assets_owned"
    table_class = AssetTable
    list_url_name = "assets:asset_list"
    filter_param = "owner_id"
    empty_text = "This customer owns no assets."

    def related(self, ids):
        assets = Asset.objects.visible_to(self.request.user)
        return assets.filter(owner_id__in=ids).live().for_list()


class CustomerSubaccountsView(CustomerPageMixin, ObjectDetailView):
    template_name = "customers/customer_subaccounts.html"
    tab = "subaccounts"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        children = Customer.objects.visible_to(self.request.user).filter(parent=self.object)
        table = CustomerTable(children.for_list(), orderable=False, can_edit=context["can_edit"])
        RequestConfig(self.request, paginate=False).configure(table)
        paginate_table(table, self.request)
        attach_counts([row.record for row in table.page.object_list])
        context["table"] = table
        return context


class CustomerLinkedAccountsView(CustomerPageMixin, ObjectDetailView):
    template_name = "customers/customer_linked.html"
    tab = "linked"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["linked_accounts"] = LinkedAccount.objects.visible_to(self.request.user).filter(
            customer=self.object
        )
        context["form"] = kwargs.get("form") or LinkedAccountForm()
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not user_can(request.user, Capability.EDIT_RECORDS):
            return self.forbidden()
        form = LinkedAccountForm(request.POST)
        if form.is_valid():
            try:
                services.linked_account_add(
                    customer=self.object, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Linked.")
                return redirect("customers:customer_linked", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def forbidden(self):
        self.raise_exception = True
        return self.handle_no_permission()


class CustomerHistoryView(CustomerPageMixin, ObjectDetailView):
    template_name = "customers/customer_history.html"
    tab = "history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, entries = merged_history_page(
            customer_history_sources(self.object), self.request.GET.get("page")
        )
        context.update(page_obj=page, entries=entries)
        return context


class CustomerRestoreFieldsView(ConsoleAccessMixin, BreadcrumbsMixin, FormView):
    """Admins put back chosen fields from an earlier version."""

    required_capability = Capability.MANAGE_RECORDS
    template_name = "customers/customer_restore_fields.html"
    form_class = RestoreFieldsForm
    nav_section = "customers"

    def dispatch(self, request, *args, **kwargs):
        if user_can(request.user, self.required_capability):
            self.customer = get_object_or_404(
                Customer.objects.visible_to(request.user, include_deleted=True), pk=kwargs["pk"]
            )
            self.record = get_object_or_404(
                self.customer.history.select_related("history_user"),
                history_id=kwargs["history_id"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "choices": restore_form_choices(self.record, self.customer),
        }

    def get_breadcrumbs(self):
        return [
            customers_crumb(),
            (str(self.customer), self.customer.get_absolute_url()),
            ("History", reverse("customers:customer_history", kwargs={"pk": self.customer.pk})),
            ("Restore fields", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(customer=self.customer, record=self.record)
        context["differences"] = [
            (field, label, getattr(self.record, field), getattr(self.customer, field))
            for field, label in restore_form_choices(self.record, self.customer)
        ]
        return context

    def form_valid(self, form):
        try:
            services.customer_restore_fields(
                customer_id=self.customer.pk,
                history_id=self.record.history_id,
                fields=form.cleaned_data["fields"],
                actor=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Restored the chosen fields.")
        return redirect("customers:customer_history", pk=self.customer.pk)


class CustomerUpdateView(ConsoleAccessMixin, BreadcrumbsMixin, UpdateView):
    required_capability = Capability.EDIT_RECORDS
    model = Customer
    form_class = CustomerForm
    template_name = "customers/customer_form.html"
    context_object_name = "customer"
    nav_section = "customers"

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs(self):
        return [
            customers_crumb(),
            (str(self.object), self.object.get_absolute_url()),
            ("Edit", None),
        ]

    def form_valid(self, form):
        data = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS}
        try:
            customer = services.customer_update(
                customer_id=self.object.pk,
                data=data,
                expected_version=form.cleaned_data["version"],
                actor=self.request.user,
            )
        except services.EditConflict as conflict:
            return self.conflict(form, conflict)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {customer}.")
        return redirect(customer)

    def conflict(self, form, conflict: services.EditConflict):
        """Refuse the save, show what the other person changed, keep what this user typed."""
        latest = (
            conflict.current.history.select_related("history_user").order_by("-history_id").first()
        )
        form.data = form.data.copy()
        form.data["version"] = conflict.current.version
        form.add_error(
            None,
            "Not saved: someone else changed this customer after you opened it. "
            "Review their changes below, then save again to overwrite them.",
        )
        context = self.get_context_data(form=form)
        context.update(conflict=conflict, conflict_by=latest.history_user if latest else None)
        return self.render_to_response(context, status=409)


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
    # Only admins create customer admins; for others the step is skipped.
    condition_dict = {
        "admin": lambda wizard: user_can(wizard.request.user, Capability.MANAGE_RECORDS)
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
            name=data["name"],
            website=data.get("website", ""),
            emails=tuple(
                data.get(f, "") for f in ("company_email", "contact_email", "billing_email")
            ),
        )

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
        preview = Customer(**{k: v for k, v in data.items() if k != "parent"})
        rows = []
        for name in EDITABLE_FIELDS:
            value = data.get(name)
            if value in (None, "", {}):
                continue
            field = Customer._meta.get_field(name)
            if field.choices:
                shown = getattr(preview, f"get_{name}_display")()
            elif name == "custom_attributes":
                shown = "; ".join(f"{k}: {v}" for k, v in value.items())
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
        try:
            with transaction.atomic():
                customer = services.customer_create(actor=self.request.user, **data)
                if admin.get("email"):
                    from portal.services import customer_user_create

                    customer_user_create(
                        customer=customer,
                        email=admin["email"],
                        first_name=admin["first_name"],
                        last_name=admin["last_name"],
                        role="admin",
                        actor=self.request.user,
                        base_url=self.request.build_absolute_uri("/"),
                    )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect("customers:customer_create")
        invited = f" and invited {admin['email']} as its admin" if admin.get("email") else ""
        messages.success(self.request, f"Added {customer}{invited}.")
        return redirect(customer)


class CustomerQuickAddView(ConsoleAccessMixin, TemplateView):
    """Add with only a name. Shown in a dialog (htmx) or as a page without JavaScript."""

    required_capability = Capability.EDIT_RECORDS
    template_name = "customers/quick_add.html"
    partial_template_name = "customers/partials/quick_add_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_form(QuickAddForm())

    def post(self, request, *args, **kwargs):
        form = QuickAddForm(request.POST)
        duplicates = []
        if form.is_valid():
            name = form.cleaned_data["name"]
            if not form.cleaned_data.get("confirm_not_duplicate"):
                duplicates = services.likely_duplicates(name=name)
            if not duplicates:
                customer = services.customer_create(actor=request.user, name=name)
                messages.success(request, f"Added {customer}.")
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = customer.get_absolute_url()
                    return response
                return redirect(customer)
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


class CustomerActionView(ObjectActionView):
    model = Customer
    nav_section = "customers"

    def get_breadcrumbs(self):
        return [
            customers_crumb(),
            (str(self.object), self.object.get_absolute_url()),
            (self.verb, None),
        ]


class CustomerArchiveView(CustomerActionView):
    verb = "Archive"
    button_class = "btn-warning"
    explanation = (
        "Archived customers leave the customer list and every customer dropdown. They stay "
        "under the “Archived” filter and can still be picked in a dropdown by typing their name. "
        "Nothing is deleted; you can unarchive at any time."
    )
    success_message = "Archived {object}."

    def perform(self, customer):
        return services.customer_archive(customer_id=customer.pk, actor=self.request.user)


class CustomerUnarchiveView(CustomerActionView):
    verb = "Unarchive"
    explanation = "The customer returns to the list and to customer dropdowns."
    success_message = "Unarchived {object}."

    def perform(self, customer):
        return services.customer_unarchive(customer_id=customer.pk, actor=self.request.user)


class CustomerDeleteView(CustomerActionView):
    verb = "Delete"
    button_class = "btn-danger"
    success_message = "Deleted {object}. It can be restored from the Deleted filter."

    @property
    def explanation(self) -> str:
        days = self.request.tenant.soft_delete_grace_days
        return (
            "The customer disappears from every list, search and dropdown, and its portal users "
            f"lose access. For {days} days an admin can restore it from Customers → Deleted; "
            "after that it is purged for good.\n"
            "Linked organizations and accounts, sub-accounts, invoices and payments are never "
            "deleted with it: they are kept and unlinked."
        )

    def perform(self, customer):
        return services.customer_soft_delete(customer_id=customer.pk, actor=self.request.user)

    def get_success_url(self, customer):
        return reverse("customers:customer_list")


class CustomerRestoreView(CustomerActionView):
    include_deleted = True
    verb = "Restore"
    button_class = "btn-success"
    explanation = "The customer comes back everywhere, as it was before it was deleted."
    success_message = "Restored {object}."

    def perform(self, customer):
        return services.customer_restore(customer_id=customer.pk, actor=self.request.user)


class CustomerPurgeView(CustomerActionView):
    include_deleted = True
    verb = "Purge"
    button_class = "btn-danger"
    explanation = (
        "Purging removes this deleted customer for good; it cannot be undone. Linked "
        "organizations and accounts and sub-accounts are kept, unlinked. Its history stays "
        "in the audit log."
    )
    success_message = "Purged {object}."

    def perform(self, customer):
        services.customer_purge(customer_id=customer.pk, actor=self.request.user)

    def get_success_url(self, customer):
        return reverse("customers:customer_list") + "?deleted=only"


class LinkedAccountUnlinkView(ConsoleAccessMixin, TemplateView):
    required_capability = Capability.EDIT_RECORDS
    http_method_names = ["post"]

    def post(self, request, pk: int, account_pk: int):
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
        account = get_object_or_404(
            LinkedAccount.objects.visible_to(request.user).filter(customer=customer), pk=account_pk
        )
        services.linked_account_unlink(account=account, actor=request.user)
        messages.success(request, f"Unlinked {account}.")
        return redirect("customers:customer_linked", pk=customer.pk)
