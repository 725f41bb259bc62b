"""Customer users over the API: console staff manage any company's (``portal-users``), a
customer user's token reaches their own company's users, locations and assets
(``portal/companies/{cid}/…``). Every write goes through ``portal.services``, like the
console's Users tab and the portal pages."""

from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assets.models import Asset
from core.api.base import ServiceModelViewSet, service_errors_as_400
from core.policies import Capability
from customers.models import Customer
from locations import services as location_services
from locations.models import Location
from portal import services
from portal.filters import JoinRequestFilterSet, MembershipFilterSet
from portal.models import CompanyDomain, JoinRequest, Membership, PermissionSet, PortalPermission

from .base import PortalCompanyMixin
from .serializers import (
    CompanyDomainSerializer,
    ConsolePortalUserInviteSerializer,
    JoinRequestSerializer,
    PortalAssetSerializer,
    PortalLocationSerializer,
    PortalUserInviteSerializer,
    PortalUserSerializer,
    RoleSerializer,
)

REMOVED = OpenApiResponse(description="Removed: the user's account is deleted.")


class PortalUserActionsMixin:
    """Invite, change role, deactivate, reactivate, remove and send a password reset link,
    each through its portal service (as on the Users pages)."""

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
        with service_errors_as_400():
            services.customer_user_set_active(
                membership=membership, active=False, actor=request.user
            )
        return self.shown(membership)

    @extend_schema(request=None, responses=PortalUserSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, *args, **kwargs):
        """The user may sign in again, if the company's subscription has a seat free (else
        400)."""
        membership = self.get_object()
        with service_errors_as_400():
            services.customer_user_set_active(
                membership=membership, active=True, actor=request.user
            )
        return self.shown(membership)

    @extend_schema(request=None, responses={204: REMOVED})
    def destroy(self, request, *args, **kwargs):
        """Remove the user from the company: their account is deleted (the email address is
        free again) and the company's history keeps the record. Not yourself, and a customer
        admin only by your provider's admins (403)."""
        membership = self.get_object()
        services.customer_user_remove(membership=membership, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=PortalUserSerializer)
    @action(detail=True, methods=["post"], url_path="password-reset")
    def password_reset(self, request, *args, **kwargs):
        """Email the user a one-time link to choose a new password (400 if they are
        deactivated)."""
        membership = self.get_object()
        with service_errors_as_400():
            services.send_password_reset_link(
                user=membership.user, base_url=request.build_absolute_uri("/")
            )
        return self.shown(membership)


@extend_schema_view(create=extend_schema(request=ConsolePortalUserInviteSerializer))
class PortalUserViewSet(PortalUserActionsMixin, ServiceModelViewSet):
    """Customer users of the tenant's customers, as on a customer's Users tab. Reading needs
    a console role; inviting and managing users an Admin (as in the console)."""

    queryset = Membership.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_class = MembershipFilterSet
    http_method_names = ["get", "post", "delete", "head", "options"]
    write_capability = Capability.MANAGE_RECORDS
    invite_serializer_class = ConsolePortalUserInviteSerializer
    uses_etags = False

    def get_queryset(self):
        return Membership.objects.visible_to(self.request.user).for_list()

    def invite_into(self, data) -> Customer:
        return data["customer"]

    @extend_schema(request=None, responses=PortalUserSerializer)
    @action(detail=True, methods=["post"], url_path="resend-invitation")
    def resend_invitation(self, request, *args, **kwargs):
        """Send the welcome email again with a fresh link to choose a password (400 if they
        have already chosen one: send a password reset link instead)."""
        membership = self.get_object()
        with service_errors_as_400():
            services.customer_user_resend_invitation(
                membership=membership,
                actor=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        return self.shown(membership)

    @extend_schema(request=None, responses=PortalUserSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, *args, **kwargs):
        """Forget the user's failed sign-ins, so they may try again at once."""
        membership = self.get_object()
        services.unlock_sign_in(request=request._request, user=membership.user)
        return self.shown(membership)


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
class PortalCompanyJoinRequestViewSet(
    PortalCompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Requests to join your company by its email domain, as on the portal's Users page (for
    those who manage users). Approving invites them as Read only, within your seats."""

    serializer_class = JoinRequestSerializer
    read_permission = PortalPermission.MANAGE_USERS
    write_permission = PortalPermission.MANAGE_USERS
    filter_backends = [DjangoFilterBackend]
    filterset_class = JoinRequestFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return JoinRequest.objects.none()
        return JoinRequest.objects.filter(customer=self.company)

    def decide(self, *, approve: bool) -> Response:
        join_request = self.get_object()
        with service_errors_as_400():
            services.join_request_decide(
                request_obj=join_request,
                approve=approve,
                actor=self.request.user,
                base_url=self.request.build_absolute_uri("/"),
            )
        return Response(JoinRequestSerializer(join_request).data)

    @extend_schema(request=None, responses=JoinRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Invite them as a Read only user (a welcome email goes out); 400 if the request was
        already decided, the email is taken meanwhile or no seat is free."""
        return self.decide(approve=True)

    @extend_schema(request=None, responses=JoinRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """Turn the request down (400 if it was already decided)."""
        return self.decide(approve=False)


@extend_schema(parameters=[COMPANY])
class PortalCompanyDomainViewSet(
    PortalCompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Your company's email domains and whether each is verified (read only; customer admins
    add and verify them in the portal under Settings → Email domains)."""

    serializer_class = CompanyDomainSerializer
    read_permission = PortalPermission.MANAGE_USERS
    write_permission = PortalPermission.MANAGE_USERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CompanyDomain.objects.none()
        return (
            CompanyDomain.objects.visible_to(self.request.user)
            .filter(customer=self.company)
            .order_by("domain")
        )


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
