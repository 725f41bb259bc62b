from django.urls import path

from .tabs import TAB_ROUTES
from .views.account import CustomerAccountActionView
from .views.actions import (
    CustomerArchiveView,
    CustomerDeleteView,
    CustomerPurgeView,
    CustomerRestoreView,
    CustomerUnarchiveView,
    LinkedAccountUnlinkView,
)
from .views.contacts import (
    ContactArchiveView,
    ContactCreateView,
    ContactDetailView,
    ContactInviteView,
    ContactListView,
    ContactRoleArchiveView,
    ContactRoleListView,
    ContactRoleUpdateView,
    ContactUpdateView,
    CustomerContactsView,
)
from .views.create import CustomerAutocompleteView, CustomerCreateWizard, CustomerQuickAddView
from .views.detail import (
    CustomerDetailView,
    CustomerHistoryView,
    CustomerLinkedAccountsView,
    CustomerSubaccountsView,
)
from .views.duplicates import CustomerDuplicateCheckView
from .views.edit import CustomerRestoreFieldsView, CustomerUpdateView
from .views.list import CustomerListView
from .views.merge import CustomerMergeView
from .views.teams import StaffCustomerAccessView, TeamDeleteView, TeamFormView, TeamListView

app_name = "customers"

urlpatterns = [
    path("", CustomerListView.as_view(), name="customer_list"),
    path("teams/", TeamListView.as_view(), name="team_list"),
    path("teams/add/", TeamFormView.as_view(), name="team_create"),
    path("teams/<int:pk>/edit/", TeamFormView.as_view(), name="team_update"),
    path("teams/<int:pk>/delete/", TeamDeleteView.as_view(), name="team_delete"),
    path("staff/<int:pk>/access/", StaffCustomerAccessView.as_view(), name="staff_access"),
    path("add/", CustomerCreateWizard.as_view(), name="customer_create"),
    path("quick-add/", CustomerQuickAddView.as_view(), name="customer_quick_add"),
    path("autocomplete/", CustomerAutocompleteView.as_view(), name="customer_autocomplete"),
    path("duplicates/", CustomerDuplicateCheckView.as_view(), name="customer_duplicates"),
    # Contacts (customers/views/contacts.py).
    path("contacts/", ContactListView.as_view(), name="contact_list"),
    path("contacts/add/", ContactCreateView.as_view(), name="contact_create"),
    path("contacts/roles/", ContactRoleListView.as_view(), name="contact_roles"),
    path(
        "contacts/roles/<int:pk>/edit/",
        ContactRoleUpdateView.as_view(),
        name="contact_role_update",
    ),
    path(
        "contacts/roles/<int:pk>/archive/",
        ContactRoleArchiveView.as_view(),
        name="contact_role_archive",
    ),
    path(
        "contacts/roles/<int:pk>/unarchive/",
        ContactRoleArchiveView.as_view(archived=False),
        name="contact_role_unarchive",
    ),
    path("contacts/<int:pk>/", ContactDetailView.as_view(), name="contact_detail"),
    path("contacts/<int:pk>/edit/", ContactUpdateView.as_view(), name="contact_update"),
    path("contacts/<int:pk>/archive/", ContactArchiveView.as_view(), name="contact_archive"),
    path(
        "contacts/<int:pk>/unarchive/",
        ContactArchiveView.as_view(archived=False),
        name="contact_unarchive",
    ),
    path("contacts/<int:pk>/invite/", ContactInviteView.as_view(), name="contact_invite"),
    path("<int:pk>/contacts/", CustomerContactsView.as_view(), name="customer_contacts"),
    path("<int:pk>/", CustomerDetailView.as_view(), name="customer_detail"),
    path("<int:pk>/edit/", CustomerUpdateView.as_view(), name="customer_update"),
    path(
        "<int:pk>/sub-accounts/",
        CustomerSubaccountsView.as_view(),
        name="customer_subaccounts",
    ),
    path("<int:pk>/linked/", CustomerLinkedAccountsView.as_view(), name="customer_linked"),
    path(
        "<int:pk>/linked/<int:account_pk>/unlink/",
        LinkedAccountUnlinkView.as_view(),
        name="linked_account_unlink",
    ),
    path("<int:pk>/history/", CustomerHistoryView.as_view(), name="customer_history"),
    # The tabs other apps register (projects, locations, assets): see customers.tabs.
    *[path(f"<int:pk>/{tab.route}", tab.view.as_view(), name=tab.name) for tab in TAB_ROUTES],
    path(
        "<int:pk>/history/<int:history_id>/restore/",
        CustomerRestoreFieldsView.as_view(),
        name="customer_restore_fields",
    ),
    path("<int:pk>/archive/", CustomerArchiveView.as_view(), name="customer_archive"),
    path("<int:pk>/unarchive/", CustomerUnarchiveView.as_view(), name="customer_unarchive"),
    path("<int:pk>/delete/", CustomerDeleteView.as_view(), name="customer_delete"),
    path("<int:pk>/restore/", CustomerRestoreView.as_view(), name="customer_restore"),
    path("<int:pk>/purge/", CustomerPurgeView.as_view(), name="customer_purge"),
    # Merging a duplicate into this customer (customers/views/merge.py).
    path("<int:pk>/merge/", CustomerMergeView.as_view(), name="customer_merge"),
    # The account status (customers.account_status): Deactivate, Suspend, Reactivate.
    *[
        path(
            f"<int:pk>/account/{action}/",
            CustomerAccountActionView.as_view(action=action),
            name=f"customer_account_{action}",
        )
        for action in ("suspend", "deactivate", "reactivate")
    ],
]
