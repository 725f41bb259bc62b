from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer_list"),
    path("add/", views.CustomerCreateWizard.as_view(), name="customer_create"),
    path("quick-add/", views.CustomerQuickAddView.as_view(), name="customer_quick_add"),
    path("autocomplete/", views.CustomerAutocompleteView.as_view(), name="customer_autocomplete"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="customer_update"),
    path(
        "<int:pk>/sub-accounts/",
        views.CustomerSubaccountsView.as_view(),
        name="customer_subaccounts",
    ),
    path("<int:pk>/linked/", views.CustomerLinkedAccountsView.as_view(), name="customer_linked"),
    path(
        "<int:pk>/linked/<int:account_pk>/unlink/",
        views.LinkedAccountUnlinkView.as_view(),
        name="linked_account_unlink",
    ),
    path("<int:pk>/history/", views.CustomerHistoryView.as_view(), name="customer_history"),
    path("<int:pk>/projects/", views.CustomerProjectsView.as_view(), name="customer_projects"),
    path("<int:pk>/locations/", views.CustomerLocationsView.as_view(), name="customer_locations"),
    path(
        "<int:pk>/assets-on-location/",
        views.CustomerAssetsOnLocationView.as_view(),
        name="customer_assets_on_location",
    ),
    path(
        "<int:pk>/assets-owned/",
        views.CustomerAssetsOwnedView.as_view(),
        name="customer_assets_owned",
    ),
    path(
        "<int:pk>/history/<int:history_id>/restore/",
        views.CustomerRestoreFieldsView.as_view(),
        name="customer_restore_fields",
    ),
    path("<int:pk>/archive/", views.CustomerArchiveView.as_view(), name="customer_archive"),
    path("<int:pk>/unarchive/", views.CustomerUnarchiveView.as_view(), name="customer_unarchive"),
    path("<int:pk>/delete/", views.CustomerDeleteView.as_view(), name="customer_delete"),
    path("<int:pk>/restore/", views.CustomerRestoreView.as_view(), name="customer_restore"),
    path("<int:pk>/purge/", views.CustomerPurgeView.as_view(), name="customer_purge"),
]
