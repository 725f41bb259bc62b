from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse as django_reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.base import ConsolePermission, ServiceModelViewSet, service_errors_as_400
from core.policies import Capability, user_can
from core.scope import scope_for
from customers import account_status, services, services_contacts
from customers.filters import CustomerFilterSet
from customers.forms import EDITABLE_FIELDS
from customers.forms_contacts import ContactFilterSet
from customers.models import Customer, LinkedAccount
from customers.models_contacts import Contact, ContactRole
from customers.services_merge import merged_survivor

from .serializers import (
    AccountActionSerializer,
    ContactArchiveSerializer,
    ContactRoleSerializer,
    ContactSerializer,
    CustomerSerializer,
    DuplicateQuerySerializer,
    LikelyDuplicateSerializer,
    LinkedAccountSerializer,
)

BULK_LIMIT = 500


class MergedCustomerGone(APIException):
    """Answered as 410 with where the customer went (CustomerViewSet.handle_exception)."""

    status_code = 410
    default_code = "merged"

    def __init__(self, survivor: Customer, request):
        url = reverse("api:customer-detail", kwargs={"pk": survivor.pk}, request=request)
        self.payload = {
            "detail": f"This customer was merged into {survivor.name}.",
            "merged_into": survivor.pk,
            "merged_into_url": url,
        }
        super().__init__(self.payload["detail"])


class CustomerViewSet(ServiceModelViewSet):
    """Customers. Filters are the list page's (``q``, ``business_type``, ``status``, …);
    DELETE is the soft delete (restorable for the grace period)."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilterSet

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user).select_related("parent")

    def get_object(self):
        """A duplicate merged into another customer: 410 Gone, naming the survivor (when
        the caller may see it), for reads, updates and deletes alike."""
        try:
            return super().get_object()
        except Http404:
            survivor = merged_survivor(self.request.user, self.kwargs.get(self.lookup_field))
            if survivor is None:
                raise
            raise MergedCustomerGone(survivor, self.request) from None

    def handle_exception(self, exc):
        if isinstance(exc, MergedCustomerGone):
            return Response(exc.payload, status=exc.status_code)
        return super().handle_exception(exc)

    def create_with_service(self, data):
        return services.customer_create(actor=self.request.user, **data)

    def update_with_service(self, instance, data):
        data = {
            key: value
            for key, value in data.items()
            if key in EDITABLE_FIELDS or key == "chosen_tags"  # tags: saved with it
        }
        return services.customer_update(
            customer_id=instance.pk,
            data=data,
            expected_version=instance.version,
            actor=self.request.user,
        )

    def perform_destroy(self, instance):
        # The account status machine's Delete: the soft delete, and the company's admins told.
        account_status.account_delete(customer_id=instance.pk, actor=self.request.user)

    @extend_schema(request=AccountActionSerializer, responses={200: CustomerSerializer})
    @action(detail=True, methods=["post"], url_path="account", filter_backends=[])
    def account(self, request, pk=None):
        """Change the company's account status: ``{"action": "suspend" | "deactivate" |
        "reactivate" | "delete", "reason": "…"}`` (a reason is required to suspend). Admins
        and owners only; a change not allowed from the current status is a 400, nothing
        written."""
        if not user_can(request.user, Capability.MANAGE_RECORDS):
            self.permission_denied(request, message="Only admins change an account's status.")
        customer = self.get_object()
        serializer = AccountActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action_name = serializer.validated_data["action"]
        with service_errors_as_400():
            if action_name == "delete":
                customer = account_status.account_delete(
                    customer_id=customer.pk, actor=request.user
                )
            else:
                customer = account_status.TRANSITION_SERVICES[action_name](
                    customer_id=customer.pk,
                    actor=request.user,
                    reason=serializer.validated_data.get("reason", ""),
                )
        return Response(self.get_serializer(customer).data)

    @extend_schema(
        parameters=[DuplicateQuerySerializer],
        responses={200: LikelyDuplicateSerializer(many=True)},
    )
    @action(
        detail=False,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
    )
    def duplicates(self, request):
        """The duplicate check to run before creating a customer (the wizard's): customers
        you can see that are probably the same company, by a similar ``name``, the same
        ``website`` host, or an ``email`` (repeatable) of the company or one of its contacts,
        or its (non-webmail) domain. Best first, at most five. For those who add customers
        (Staff and above)."""
        if not user_can(request.user, Capability.EDIT_RECORDS):
            self.permission_denied(request, message="Only those who add customers check this.")
        query = {
            "name": request.query_params.get("name", ""),
            "website": request.query_params.get("website", ""),
            "email": request.query_params.getlist("email"),
        }
        serializer = DuplicateQuerySerializer(data=query)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data
        found = services.likely_duplicates(
            name=wanted.get("name", ""),
            website=wanted.get("website", ""),
            emails=tuple(email.strip() for email in wanted.get("email", []) if email.strip()),
            scope=scope_for(request.user),
        )
        rows = [
            {
                "id": customer.pk,
                "name": customer.name,
                "url": reverse("api:customer-detail", kwargs={"pk": customer.pk}, request=request),
                "merge_page": request.build_absolute_uri(
                    django_reverse("customers:customer_merge", args=[customer.pk])
                ),
            }
            for customer in found
        ]
        return Response(LikelyDuplicateSerializer(rows, many=True).data)

    @extend_schema(
        request=CustomerSerializer(many=True), responses={201: CustomerSerializer(many=True)}
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request):
        """Create many customers at once: all of them, or — if any item is invalid — none, with
        every item's errors in the same order as the request."""
        if not isinstance(request.data, list) or not request.data:
            return Response({"detail": "Send a non-empty JSON array of customers."}, status=400)
        if len(request.data) > BULK_LIMIT:
            return Response(
                {"detail": f"Send at most {BULK_LIMIT} customers per request."}, status=400
            )
        serializer = self.get_serializer(data=request.data, many=True)
        if not serializer.is_valid():
            return Response({"errors": serializer.errors}, status=status.HTTP_400_BAD_REQUEST)
        created, errors = [], {}
        with transaction.atomic():
            for index, item in enumerate(serializer.validated_data):
                try:  # the service's own atomic block is this item's savepoint
                    created.append(services.customer_create(actor=request.user, **item))
                except ValidationError as error:
                    errors[index] = getattr(error, "message_dict", {"detail": error.messages})
            if errors:
                transaction.set_rollback(True)
        if errors:  # e.g. a limited user's new customer without a parent in their reach
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            self.get_serializer(created, many=True).data, status=status.HTTP_201_CREATED
        )


class LinkedAccountViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = LinkedAccount.objects.all()
    serializer_class = LinkedAccountSerializer
    permission_classes = [ConsolePermission]

    def get_queryset(self):
        return LinkedAccount.objects.visible_to(self.request.user)


class ContactViewSet(ServiceModelViewSet):
    """Contacts of the customers you can see. Filters are the list page's (``q`` for name,
    email or phone, ``customer_id``, ``role``, ``preferred_channel``, ``archived``). No
    DELETE: a contact who left is archived (``POST …/archive/``), keeping their history."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ContactFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    uses_etags = True

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user).select_related("customer").with_roles()

    def create_with_service(self, data):
        data = dict(data)
        return services_contacts.contact_create(
            customer=data.pop("customer"),
            roles=data.pop("roles", ()),
            tags=data.pop("chosen_tags", None),
            actor=self.request.user,
            **data,
        )

    def update_with_service(self, instance, data):
        data = dict(data)
        roles = data.pop("roles", None)
        tags = data.pop("chosen_tags", None)
        if "customer" in data and data["customer"].pk == instance.customer_id:
            data.pop("customer")
        return services_contacts.contact_update(
            contact_id=instance.pk, data=data, roles=roles, tags=tags, actor=self.request.user
        )

    @extend_schema(request=ContactArchiveSerializer, responses={200: ContactSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def archive(self, request, pk=None):
        """``{"archived": true}``: the contact left (archived with the date, out of lists and
        billing); ``false`` restores them."""
        contact = self.get_object()
        serializer = ContactArchiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            contact = services_contacts.contact_set_archived(
                contact_id=contact.pk,
                archived=serializer.validated_data["archived"],
                actor=request.user,
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=contact.pk)).data)


class ContactRoleViewSet(viewsets.ReadOnlyModelViewSet):
    """The tenant's contact roles (edited on the console's Contact roles page)."""

    queryset = ContactRole.objects.all()
    serializer_class = ContactRoleSerializer
    permission_classes = [ConsolePermission]

    def get_queryset(self):
        return ContactRole.objects.visible_to(self.request.user).order_by("order", "name")
