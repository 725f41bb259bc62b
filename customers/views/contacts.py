"""Contacts: the tenant-wide list (search, role and archived filters, export), a contact's
page with its history, add/edit/archive, the portal invitation, the customer page's Contacts
tab and the tenant's list of roles. Every read starts from the policy layer: a contact of a
customer the user cannot see is the same 404 as one that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from core.forms import add_service_errors
from core.generic import (
    ObjectArchiveView,
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    ObjectUpdateMixin,
)
from core.history import history_page
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for
from customers import reactions
from customers import services_contacts as services
from customers.forms_contacts import (
    ContactFilterSet,
    ContactForm,
    ContactInviteForm,
    ContactRoleForm,
)
from customers.models_contacts import Contact, ContactRole
from customers.tables_contacts import ContactTable

from .detail import CustomerChildrenView


def contacts_crumb():
    return ("Contacts", reverse("customers:contact_list"))


class ContactListView(ObjectListView):
    model = Contact
    filterset_class = ContactFilterSet
    table_class = ContactTable
    import_kind = "contacts"
    export_name = "contacts"
    add_url_name = "customers:contact_create"
    nav_section = "customers"
    breadcrumbs = [("Contacts", None)]

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user).for_list()


class ContactDetailView(ObjectDetailView):
    model = Contact
    template_name = "customers/contact_detail.html"
    context_object_name = "contact"
    nav_section = "customers"
    include_deleted = False

    def get_queryset(self):
        return (
            Contact.objects.visible_to(self.request.user)
            .select_related("customer", "portal_user")
            .with_roles()
        )

    def get_breadcrumbs(self):
        customer = self.object.customer
        return [
            contacts_crumb(),
            (customer.name, reverse("customers:customer_contacts", args=[customer.pk])),
            (str(self.object), None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page, entries = history_page(
            Contact, self.object.history.all(), self.request.GET.get("page")
        )
        context.update(
            page_obj=page,
            entries=entries,
            can_edit=user_can(user, Capability.EDIT_RECORDS),
            can_invite=user_can(user, Capability.MANAGE_RECORDS)
            and reactions.can_invite_admin()
            and self.object.portal_user_id is None
            and not self.object.is_archived
            and bool(self.object.email),
        )
        return context


class ContactCreateView(ObjectFormView):
    model = Contact
    form_class = ContactForm
    nav_section = "customers"
    initial_from_query = ("customer",)

    def save(self, form):
        data, roles, tags = form.service_data()
        return services.contact_create(
            customer=form.cleaned_data["customer"],
            roles=roles,
            tags=tags,
            actor=self.request.user,
            **data,
        )


class ContactUpdateView(ObjectUpdateMixin, ObjectFormView):
    model = Contact
    form_class = ContactForm
    nav_section = "customers"

    def save(self, form):
        data, roles, tags = form.service_data()
        return services.contact_update(
            contact_id=self.object.pk, data=data, roles=roles, tags=tags, actor=self.request.user
        )


class ContactArchiveView(ObjectArchiveView):
    """A contact who left: archived with the date, kept with their history."""

    model = Contact
    nav_section = "customers"
    required_capability = Capability.EDIT_RECORDS
    archive_service = services.contact_set_archived
    id_kwarg = "contact_id"
    archive_explanation = (
        "Mark this contact as having left the company: they leave the contact lists, search "
        "and billing, and stay here with their history. You can restore them."
    )
    unarchive_explanation = "They return to the contact lists (and billing, for a billing role)."

    @property
    def verb(self) -> str:
        return "Mark as left" if self.archived else "Restore"

    @property
    def success_message(self) -> str:
        return "{object} marked as left." if self.archived else "Restored {object}."


class ContactInviteView(ObjectUpdateMixin, ObjectFormView):
    """Invite the contact to the company's portal (the portal's invitation email)."""

    model = Contact
    form_class = ContactInviteForm
    nav_section = "customers"
    required_capability = Capability.MANAGE_RECORDS
    template_name = "customers/contact_invite.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_breadcrumbs(self):
        return [
            contacts_crumb(),
            (str(self.object), self.object.get_absolute_url()),
            ("Invite to the portal", None),
        ]

    def form_valid(self, form):
        try:
            contact = services.contact_invite_to_portal(
                contact_id=self.object.pk,
                role=form.cleaned_data["role"],
                actor=self.request.user,
                base_url=self.request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Invited {contact.email} to the portal.")
        return redirect(contact)


class CustomerContactsView(CustomerChildrenView):
    """The customer page's Contacts tab: primary and billing contacts first."""

    tab = "contacts"
    template_name = "customers/contact_tab.html"
    child_model = Contact
    list_url_name = "customers:contact_list"
    filter_param = "customer_id"
    empty_text = "No contacts yet."

    @property
    def table_class(self):
        return CustomerContactTable

    def get_children(self, queryset):
        return queryset.filter(customer_id__in=self.scope_ids).live().for_list().ranked()


class CustomerContactTable(ContactTable):
    """On the customer's page: no customer column, primary and billing contacts first."""

    class Meta(ContactTable.Meta):
        exclude = ("customer",)
        order_by = ()


# --- The tenant's roles ---------------------------------------------------------------------


class ContactRoleListView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """The roles contacts can have; admins add, rename, reorder and archive them."""

    template_name = "customers/contact_roles.html"
    nav_section = "customers"

    def get_breadcrumbs(self):
        return [contacts_crumb(), ("Contact roles", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = scope_for(self.request.user)
        context.update(
            roles=ContactRole.objects.restrict(scope).order_by("is_archived", "order", "name"),
            can_manage=user_can(self.request.user, Capability.MANAGE_RECORDS),
            form=kwargs.get("form") or ContactRoleForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not user_can(request.user, Capability.MANAGE_RECORDS):
            self.raise_exception = True
            return self.handle_no_permission()
        form = ContactRoleForm(request.POST)
        if form.is_valid():
            try:
                role = services.contact_role_create(
                    name=form.cleaned_data["name"],
                    order=form.cleaned_data["order"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Added the role {role}.")
                return redirect("customers:contact_roles")
        return self.render_to_response(self.get_context_data(form=form))


class ContactRoleUpdateView(ObjectUpdateMixin, ObjectFormView):
    model = ContactRole
    form_class = ContactRoleForm
    nav_section = "customers"
    required_capability = Capability.MANAGE_RECORDS

    def get_breadcrumbs(self):
        return [
            contacts_crumb(),
            ("Contact roles", reverse("customers:contact_roles")),
            ("Edit", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = reverse("customers:contact_roles")
        return context

    def save(self, form):
        return services.contact_role_update(
            role_id=self.object.pk, data=form.cleaned_data, actor=self.request.user
        )

    def form_valid(self, form):
        try:
            role = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {role}.")
        return redirect("customers:contact_roles")


class ContactRoleArchiveView(ConsoleAccessMixin, TemplateView):
    """POST: archive (or, with ``archived=False``, restore) a role; it is no longer offered,
    contacts keep it."""

    required_capability = Capability.MANAGE_RECORDS
    http_method_names = ["post"]
    archived = True

    def post(self, request, *args, **kwargs):
        role = access(ContactRole, scope_for(request.user), kwargs["pk"], "change")
        role = services.contact_role_set_archived(
            role_id=role.pk, archived=self.archived, actor=request.user
        )
        messages.success(request, f"{'Archived' if self.archived else 'Restored'} the role {role}.")
        return redirect("customers:contact_roles")
