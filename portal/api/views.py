"""Customer users over the API: console staff manage any company's (``portal-users``), a
customer user's token reaches their own company's users, locations and assets
(``portal/companies/{cid}/…``). Every write goes through ``portal.services``, like the
console's Users tab and the portal pages."""

from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.policies import Capability
from assets.models import Asset
from core.api.base import PortalCompanyMixin, ServiceModelViewSet, service_errors_as_400
from customers.models import Customer
from locations import services as location_services
from locations.models import Location
from portal import services
from portal.filters import MembershipFilterSet
from portal.models import Membership, PermissionSet, PortalPermission

from .serializers import (
    ConsolePortalUserInviteSerializer,
    PortalAssetSerializer,
    PortalLocationSerializer,
    PortalUserInviteSerializer,
    PortalUserSerializer,
    RoleSerializer,
)


class PortalUserActionsMixin:
    """Invite, change role, deactivate and reactivate, each through its portal service."""

    invite_serializer_class = PortalUserInviteSerializer

    def get_serializer_class(self):
        if self.action == "create":
            return self.invite_serializer_class
        if self.action == "role":
            return RoleSerializer
        return PortalUserSerializer

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "permission_set" in getattr(serializer, "fields", {}):
            visible = Customer.objects.visible_to(self.request.user)
            serializer.fields["permission_set"].queryset = PermissionSet.objects.filter(
                customer__in=visible
            )
        return serializer

    def invite_into(self, data) -> Customer:
        raise NotImplementedError

    def shown(self, membership: Membership, code: int = status.HTTP_200_OK) -> Response:
        membership = self.get_queryset().get(pk=membership.pk)  # with what the list shows
        return Response(PortalUserSerializer(membership).data, status=code)

    @extend_schema(responses={201: PortalUserSerializer})
    def create(self, request, *args, **kwargs):
        """Invite a customer user: a welcome email with a one-time link to choose a password."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors_as_400():
            membership = services.customer_user_create(
                customer=self.invite_into(data),
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                sections=data.get("sections") or (),
                permission_set=data.get("permission_set"),
                actor=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        return self.shown(membership, status.HTTP_201_CREATED)

    @extend_schema(request=RoleSerializer, responses=PortalUserSerializer)
    @action(detail=True, methods=["post"])
    def role(self, request, *args, **kwargs):
        """Change the user's role (sections for Limited, a permission set for Custom)."""
        membership = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors_as_400():
            services.customer_user_change_role(
                membership=membership,
                role=data["role"],
                sections=data.get("sections") or (),
                permission_set=data.get("permission_set"),
                actor=request.user,
            )
        return self.shown(membership)

    @extend_schema(request=None, responses=PortalUserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, *args, **kwargs):
        """The user can no longer sign in (nor use their API tokens); nothing is deleted."""
        membership = self.get_object()
        services.customer_user_set_active(membership=membership, active=False, actor=request.user)
        return self.shown(membership)

    @extend_schema(request=None, responses=PortalUserSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, *args, **kwargs):
        membership = self.get_object()
        services.customer_user_set_active(membership=membership, active=True, actor=request.user)
        return self.shown(membership)


@extend_schema_view(create=extend_schema(request=ConsolePortalUserInviteSerializer))
class PortalUserViewSet(PortalUserActionsMixin, ServiceModelViewSet):
    """Customer users of the tenant's customers, as on a customer's Users tab. Reading needs
    a console role; inviting and managing users an Admin (as in the console)."""

    queryset = Membership.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_class = MembershipFilterSet
    http_method_names = ["get", "post", "head", "options"]
    write_capability = Capability.MANAGE_RECORDS
    invite_serializer_class = ConsolePortalUserInviteSerializer
    uses_etags = False

    def get_queryset(self):
        return Membership.objects.visible_to(self.request.user).for_list()

    def invite_into(self, data) -> Customer:
        return data["customer"]


COMPANY = OpenApiParameter(
    "cid", OpenApiTypes.INT, OpenApiParameter.PATH, description="Your company or a sub-account."
)


@extend_schema(parameters=[COMPANY])
class PortalCompanyUserViewSet(
    PortalCompanyMixin,
    PortalUserActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Your company's users, as on the portal's Users page."""

    read_permission = PortalPermission.VIEW_USERS
    write_permission = PortalPermission.MANAGE_USERS
    filter_backends = [DjangoFilterBackend]
    filterset_class = MembershipFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return Membership.objects.visible_to(self.request.user).filter(customer=self.company)

    def invite_into(self, data) -> Customer:
        return self.company


@extend_schema(parameters=[COMPANY])
class PortalCompanyLocationViewSet(PortalCompanyMixin, ServiceModelViewSet):
    """Your company's sites, as on the portal's Locations page; editable with the portal's
    location permission (send the ETag you read in If-Match)."""

    serializer_class = PortalLocationSerializer
    read_permission = PortalPermission.VIEW_LOCATIONS
    write_permission = PortalPermission.MANAGE_LOCATIONS
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Location.objects.none()
        return Location.objects.visible_to(self.request.user).filter(customer=self.company).live()

    def update_with_service(self, instance, data):
        return location_services.location_update(
            location_id=instance.pk, data=dict(data), actor=self.request.user
        )


@extend_schema(parameters=[COMPANY])
class PortalCompanyAssetViewSet(PortalCompanyMixin, viewsets.ReadOnlyModelViewSet):
    """What your company owns or hosts at its sites, as on the portal's Assets page."""

    serializer_class = PortalAssetSerializer
    read_permission = PortalPermission.VIEW_ASSETS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Asset.objects.none()
        return (
            Asset.objects.visible_to(self.request.user)
            .filter(Q(owner=self.company) | Q(location__customer=self.company))
            .live()
            .select_related("owner", "location")
        )
