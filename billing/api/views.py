from django_filters.rest_framework import DjangoFilterBackend

from billing.filters import (
    InvoiceFilterSet,
    PaymentFilterSet,
    ProjectFilterSet,
    SubscriptionFilterSet,
    UsageFilterSet,
)
from billing.models import (
    CreditNote,
    Invoice,
    Payment,
    Project,
    Subscription,
    UsageRecord,
    UsageSource,
)
from billing.services.credit_notes import credit_note_create
from billing.services.payments import payment_record
from billing.services.projects import project_create, project_update
from billing.services.subscriptions import subscription_create
from billing.services.usage import usage_record
from core.api.base import ServiceModelViewSet
from core.api.policy import BillingPermission

from .serializers import (
    CreditNoteSerializer,
    InvoiceSerializer,
    PaymentSerializer,
    ProjectSerializer,
    SubscriptionSerializer,
    UsageRecordSerializer,
)


class ProjectViewSet(ServiceModelViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProjectFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("customer")
            .prefetch_related("locations")
        )

    def create_with_service(self, data):
        data = dict(data)
        locations = data.pop("locations", [])
        return project_create(actor=self.request.user, locations=locations, **data)

    def update_with_service(self, instance, data):
        data = dict(data)
        locations = data.pop("locations", None)
        return project_update(
            project_id=instance.pk, data=data, locations=locations, actor=self.request.user
        )


class SubscriptionViewSet(ServiceModelViewSet):
    """Subscribe a customer to a plan; changes and cancellations happen on the pages."""

    queryset = Subscription.objects.all()
    serializer_class = SubscriptionSerializer
    permission_classes = [BillingPermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = SubscriptionFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Subscription.objects.visible_to(self.request.user).select_related("plan")

    def create_with_service(self, data):
        return subscription_create(actor=self.request.user, **data)


class UsageRecordViewSet(ServiceModelViewSet):
    """Record a day's usage of a metric (posting the same day again replaces it)."""

    queryset = UsageRecord.objects.all()
    serializer_class = UsageRecordSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = UsageFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return UsageRecord.objects.visible_to(self.request.user).select_related("metric")

    def create_with_service(self, data):
        return usage_record(actor=self.request.user, source=UsageSource.API, **data)


class InvoiceViewSet(ServiceModelViewSet):
    queryset = Invoice.objects.all()
    serializer_class = InvoiceSerializer
    permission_classes = [BillingPermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = InvoiceFilterSet
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Invoice.objects.visible_to(self.request.user).prefetch_related("lines")


class PaymentViewSet(ServiceModelViewSet):
    """Record money received against an invoice (a payment gateway would post here too)."""

    queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    permission_classes = [BillingPermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = PaymentFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Payment.objects.visible_to(self.request.user)

    def create_with_service(self, data):
        data = dict(data)
        invoice = data.pop("invoice")
        return payment_record(invoice_id=invoice.pk, actor=self.request.user, **data)


class CreditNoteViewSet(ServiceModelViewSet):
    """Credit notes against issued invoices: list, read, and issue one (the same service as
    the console's “Issue credit note”)."""

    queryset = CreditNote.objects.all()
    serializer_class = CreditNoteSerializer
    permission_classes = [BillingPermission]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (
            CreditNote.objects.visible_to(self.request.user)
            .select_related("invoice")
            .prefetch_related("lines")
            .order_by("-pk")
        )

    def create_with_service(self, data):
        lines = {item["line"]: item["quantity"] for item in data.get("invoice_lines") or []}
        return credit_note_create(
            invoice_id=data["invoice"].pk,
            reason=data.get("reason", ""),
            amount=data.get("amount"),
            lines=lines or None,
            full=data.get("full", False),
            actor=self.request.user,
        )
