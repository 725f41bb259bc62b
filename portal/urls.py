from django.urls import path

from .views.activity import ActivityView
from .views.base import portal_home, suspended
from .views.billing import BillingDocumentView, BillingView
from .views.company import OverviewView, SettingsView
from .views.console import CustomerUserActionView, CustomerUsersView
from .views.credit_notes import CreditNotePdfView
from .views.documents import DocumentDownloadView, DocumentsView
from .views.domains import CustomerDomainsView, DomainActionView, DomainsView, DomainVerifyView
from .views.invoice_page import InvoiceDetailView
from .views.join import JoinDecisionView, JoinView, join_confirm
from .views.places import AssetsView, LocationEditView, LocationsView
from .views.reseller import (
    ResellerClientsView,
    ResellerStatementDetailView,
    ResellerStatementsView,
)
from .views.tickets import TicketAttachmentView, TicketOpenView, TicketsView, TicketView
from .views.users import (
    ApiTokensView,
    PermissionSetEditView,
    PermissionSetsView,
    UserDetailView,
    UserInviteView,
    UsersView,
)

app_name = "portal"

urlpatterns = [
    path("portal/", portal_home, name="home"),
    path("portal/suspended/", suspended, name="suspended"),
    path("portal/join/", JoinView.as_view(), name="join"),
    path("portal/join/confirm/<str:token>/", join_confirm, name="join_confirm"),
    path("portal/domains/verify/<str:token>/", DomainVerifyView.as_view(), name="domain_verify"),
    path("portal/c/<int:cid>/", OverviewView.as_view(), name="overview"),
    path("portal/c/<int:cid>/users/", UsersView.as_view(), name="users"),
    path("portal/c/<int:cid>/users/invite/", UserInviteView.as_view(), name="user_invite"),
    path("portal/c/<int:cid>/users/<int:mid>/", UserDetailView.as_view(), name="user_detail"),
    path(
        "portal/c/<int:cid>/permission-sets/",
        PermissionSetsView.as_view(),
        name="permission_sets",
    ),
    path(
        "portal/c/<int:cid>/permission-sets/add/",
        PermissionSetEditView.as_view(),
        name="permission_set_create",
    ),
    path(
        "portal/c/<int:cid>/permission-sets/<int:sid>/",
        PermissionSetEditView.as_view(),
        name="permission_set_update",
    ),
    path(
        "portal/c/<int:cid>/join-requests/<int:rid>/<slug:decision>/",
        JoinDecisionView.as_view(),
        name="join_decision",
    ),
    path("portal/c/<int:cid>/locations/", LocationsView.as_view(), name="locations"),
    path(
        "portal/c/<int:cid>/locations/<int:lid>/edit/",
        LocationEditView.as_view(),
        name="location_edit",
    ),
    path("portal/c/<int:cid>/assets/", AssetsView.as_view(), name="assets"),
    path("portal/c/<int:cid>/settings/", SettingsView.as_view(), name="settings"),
    path("portal/c/<int:cid>/settings/domains/", DomainsView.as_view(), name="domains"),
    path(
        "portal/c/<int:cid>/settings/domains/<int:did>/",
        DomainActionView.as_view(),
        name="domain_action",
    ),
    path("portal/c/<int:cid>/billing/", BillingView.as_view(), name="billing"),
    path(
        "portal/c/<int:cid>/billing/invoices/<int:iid>/",
        InvoiceDetailView.as_view(),
        name="invoice_detail",
    ),
    path(
        "portal/c/<int:cid>/billing/invoices/<int:iid>/pdf/",
        BillingDocumentView.as_view(),
        name="invoice_pdf",
    ),
    path(
        "portal/c/<int:cid>/billing/invoices/<int:iid>/receipt/",
        BillingDocumentView.as_view(receipt=True),
        name="invoice_receipt",
    ),
    path(
        "portal/c/<int:cid>/billing/credit-notes/<int:nid>/pdf/",
        CreditNotePdfView.as_view(),
        name="credit_note_pdf",
    ),
    path("portal/c/<int:cid>/documents/", DocumentsView.as_view(), name="documents"),
    path("portal/c/<int:cid>/activity/", ActivityView.as_view(), name="activity"),
    path("portal/c/<int:cid>/tickets/", TicketsView.as_view(), name="tickets"),
    path("portal/c/<int:cid>/tickets/new/", TicketOpenView.as_view(), name="ticket_open"),
    path("portal/c/<int:cid>/tickets/<int:tid>/", TicketView.as_view(), name="ticket_detail"),
    path(
        "portal/c/<int:cid>/tickets/<int:tid>/files/<int:aid>/",
        TicketAttachmentView.as_view(),
        name="ticket_attachment",
    ),
    path(
        "portal/c/<int:cid>/documents/<int:did>/download/",
        DocumentDownloadView.as_view(),
        name="document_download",
    ),
    # A reseller's own view: its clients and its commission statements.
    path("portal/c/<int:cid>/clients/", ResellerClientsView.as_view(), name="reseller_clients"),
    path(
        "portal/c/<int:cid>/commissions/",
        ResellerStatementsView.as_view(),
        name="reseller_statements",
    ),
    path(
        "portal/c/<int:cid>/commissions/<int:sid>/",
        ResellerStatementDetailView.as_view(),
        name="reseller_statement_detail",
    ),
    path("portal/c/<int:cid>/api-tokens/", ApiTokensView.as_view(), name="api_tokens"),
    # The console's side: a customer's users.
    path("customers/<int:pk>/users/", CustomerUsersView.as_view(), name="customer_users"),
    path(
        "customers/<int:pk>/users/domains/",
        CustomerDomainsView.as_view(),
        name="customer_domains",
    ),
    path(
        "customers/<int:pk>/users/<int:mid>/action/",
        CustomerUserActionView.as_view(),
        name="customer_user_action",
    ),
]
