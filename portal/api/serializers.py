from rest_framework import serializers

from assets.models import Asset
from core.api.base import StrictSerializerMixin
from customers.models import Customer
from locations.models import Location
from portal.forms import PortalLocationForm
from portal.models import (
    CompanyDomain,
    JoinRequest,
    Membership,
    PermissionSet,
    PortalRole,
    PortalSection,
)


class PortalUserSerializer(serializers.ModelSerializer):
    """A customer user (their membership of a company) as the Users pages show them."""

    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    has_password = serializers.SerializerMethodField()
    last_sign_in = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "customer",
            "email",
            "first_name",
            "last_name",
            "role",
            "sections",
            "permission_set",
            "is_active",
            "has_password",
            "invitation_sent_at",
            "last_sign_in",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_password(self, membership: Membership) -> bool:
        """False until the user has followed the welcome email's link."""
        return membership.user.has_usable_password()


class JoinRequestSerializer(serializers.ModelSerializer):
    """Someone with the company's email domain asking to join its portal (pending until an
    admin approves, which invites them as Read only, or declines)."""

    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "customer",
            "email",
            "first_name",
            "last_name",
            "status",
            "decided_by",
            "created_at",
        ]
        read_only_fields = fields


class CompanyDomainSerializer(serializers.ModelSerializer):
    """An email domain the company claims. Only a verified one lets people at it ask to join;
    verify it (a DNS TXT record ``txt_record`` at the domain, or a mailed link) in the portal
    under Settings → Email domains."""

    display = serializers.CharField(read_only=True, help_text="The domain as people write it.")
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    txt_record = serializers.CharField(read_only=True, help_text="The DNS TXT record to add.")

    class Meta:
        model = CompanyDomain
        fields = [
            "id",
            "customer",
            "domain",
            "display",
            "verified",
            "verified_at",
            "verified_how",
            "method",
            "txt_record",
            "link_sent_to",
            "link_sent_at",
            "created_at",
        ]
        read_only_fields = fields


class RoleSerializer(StrictSerializerMixin, serializers.Serializer):
    """A portal role with what it needs: sections for Limited, a permission set for Custom."""

    role = serializers.ChoiceField(choices=PortalRole.choices)
    sections = serializers.ListField(
        child=serializers.ChoiceField(choices=PortalSection.choices),
        required=False,
        max_length=len(PortalSection.choices),
        help_text="Limited users: the sections they may see.",
    )
    permission_set = serializers.PrimaryKeyRelatedField(
        queryset=PermissionSet.objects.all(),
        required=False,
        allow_null=True,
        help_text="Custom users: one of their company's permission sets.",
    )


class PortalUserInviteSerializer(RoleSerializer):
    """Invite a customer user: they get a welcome email with a link to choose a password."""

    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)


class ConsolePortalUserInviteSerializer(PortalUserInviteSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)


class PortalLocationSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A location as the portal shows it; its admins may edit what the portal form edits."""

    class Meta:
        model = Location
        fields = [
            "id",
            "customer",
            "location_type",
            "status",
            *PortalLocationForm.Meta.fields,
            "updated_at",
        ]
        read_only_fields = ["customer", "location_type", "status", "updated_at"]


class PortalAssetSerializer(serializers.ModelSerializer):
    """An asset as the portal lists it (owner and site by id and name)."""

    owner_name = serializers.CharField(source="owner.name", read_only=True, allow_null=True)
    location_name = serializers.CharField(source="location.name", read_only=True, allow_null=True)

    class Meta:
        model = Asset
        fields = [
            "id",
            "name",
            "serial_number",
            "model_name",
            "category",
            "status",
            "owner",
            "owner_name",
            "location",
            "location_name",
        ]
        read_only_fields = fields
