from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("portal/", views.portal_home, name="home"),
    path("portal/suspended/", views.suspended, name="suspended"),
    path("portal/join/", views.JoinView.as_view(), name="join"),
    path("portal/join/confirm/<str:token>/", views.join_confirm, name="join_confirm"),
    path("portal/c/<int:cid>/", views.OverviewView.as_view(), name="overview"),
    path("portal/c/<int:cid>/users/", views.UsersView.as_view(), name="users"),
    path("portal/c/<int:cid>/users/invite/", views.UserInviteView.as_view(), name="user_invite"),
    path("portal/c/<int:cid>/users/<int:mid>/", views.UserDetailView.as_view(), name="user_detail"),
    path(
        "portal/c/<int:cid>/permission-sets/",
        views.PermissionSetsView.as_view(),
        name="permission_sets",
    ),
    path(
        "portal/c/<int:cid>/permission-sets/add/",
        views.PermissionSetEditView.as_view(),
        name="permission_set_create",
    ),
    path(
        "portal/c/<int:cid>/permission-sets/<int:sid>/",
        views.PermissionSetEditView.as_view(),
        name="permission_set_update",
    ),
    path(
        "portal/c/<int:cid>/join-requests/<int:rid>/<slug:decision>/",
        views.JoinDecisionView.as_view(),
        name="join_decision",
    ),
    path("portal/c/<int:cid>/locations/", views.LocationsView.as_view(), name="locations"),
    path(
        "portal/c/<int:cid>/locations/<int:lid>/edit/",
        views.LocationEditView.as_view(),
        name="location_edit",
    ),
    path("portal/c/<int:cid>/assets/", views.AssetsView.as_view(), name="assets"),
    path("portal/c/<int:cid>/settings/", views.SettingsView.as_view(), name="settings"),
    path("portal/c/<int:cid>/billing/", views.BillingView.as_view(), name="billing"),
    path(
        "portal/c/<int:cid>/billing/invoices/<int:iid>/pdf/",
        views.BillingDocumentView.as_view(),
        name="invoice_pdf",
    ),
    path(
        "portal/c/<int:cid>/billing/invoices/<int:iid>/receipt/",
        views.BillingDocumentView.as_view(receipt=True),
        name="invoice_receipt",
    ),
    path("portal/c/<int:cid>/api-tokens/", views.ApiTokensView.as_view(), name="api_tokens"),
    # The console's side: a customer's users.
    path("customers/<int:pk>/users/", views.CustomerUsersView.as_view(), name="customer_users"),
    path(
        "customers/<int:pk>/users/<int:mid>/action/",
        views.CustomerUserActionView.as_view(),
        name="customer_user_action",
    ),
]
