"""The REST API, /api/v1/ on every tenant host; schema at /api/schema/, docs at /api/docs/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from activity.api.views import EntryViewSet
from assets.api.views import AssetViewSet
from billing.api.views import (
    CreditNoteViewSet,
    InvoiceViewSet,
    PaymentViewSet,
    ProjectViewSet,
    SubscriptionViewSet,
    UsageRecordViewSet,
)
from contracts.api.views import ContractViewSet
from core.api.base import api_not_found
from customers.api.views import (
    ContactRoleViewSet,
    ContactViewSet,
    CustomerViewSet,
    LinkedAccountViewSet,
)
from documents.api.views import DocumentViewSet
from locations.api.views import LocationViewSet
from portal.api.views import (
    PortalCompanyAssetViewSet,
    PortalCompanyDomainViewSet,
    PortalCompanyJoinRequestViewSet,
    PortalCompanyLocationViewSet,
    PortalCompanyUserViewSet,
    PortalUserViewSet,
)
from tickets.api.views import TicketViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("linked-accounts", LinkedAccountViewSet, basename="linked-account")
router.register("contacts/roles", ContactRoleViewSet, basename="contact-role")
router.register("contacts", ContactViewSet, basename="contact")
router.register("locations", LocationViewSet, basename="location")
router.register("assets", AssetViewSet, basename="asset")
router.register("projects", ProjectViewSet, basename="project")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("usage-records", UsageRecordViewSet, basename="usage-record")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")
router.register("documents", DocumentViewSet, basename="document")
router.register("activity", EntryViewSet, basename="activity-entry")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("contracts", ContractViewSet, basename="contract")
router.register("portal-users", PortalUserViewSet, basename="portal-user")
# For customer users' own tokens: their company (or a sub-account), as the portal shows it.
COMPANY = r"portal/companies/(?P<cid>[0-9]+)"
router.register(f"{COMPANY}/users", PortalCompanyUserViewSet, basename="portal-company-user")
router.register(
    f"{COMPANY}/join-requests",
    PortalCompanyJoinRequestViewSet,
    basename="portal-company-join-request",
)
router.register(f"{COMPANY}/domains", PortalCompanyDomainViewSet, basename="portal-company-domain")
router.register(
    f"{COMPANY}/locations", PortalCompanyLocationViewSet, basename="portal-company-location"
)
router.register(f"{COMPANY}/assets", PortalCompanyAssetViewSet, basename="portal-company-asset")

urlpatterns = [
    path("v1/", include((router.urls, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    re_path(r"", api_not_found),  # last: unmatched paths under /api/ get a JSON 404
]
