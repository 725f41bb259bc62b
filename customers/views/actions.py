"""State changes on a customer (archive, delete, restore, purge) and unlinking an account."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from core.generic import ObjectActionView
from core.mixins import ConsoleAccessMixin
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for
from customers import services
from customers.account_status import account_delete
from customers.models import Customer, LinkedAccount

from .list import customers_crumb


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
        # The account status machine's Delete: the soft delete, and the company's admins told.
        return account_delete(customer_id=customer.pk, actor=self.request.user)

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
        scope = scope_for(request.user)
        customer = access(Customer, scope, pk)
        account = access(
            LinkedAccount.objects.filter(customer=customer), scope, account_pk, "change"
        )
        services.linked_account_unlink(account=account, actor=request.user)
        messages.success(request, f"Unlinked {account}.")
        return redirect("customers:customer_linked", pk=customer.pk)
