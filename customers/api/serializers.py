from django.core.validators import URLValidator
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from core.api.base import StrictSerializerMixin
from customers.account_status import account_status_of
from customers.forms import EDITABLE_FIELDS
from customers.models import Customer, LinkedAccount
from customers.models_contacts import Contact, ContactRole
from customers.services_contacts import CONTACT_FIELDS
from fields.serializers import CustomFieldsField, tags_field


def validate_website(value: str) -> None:
    URLValidator()(value)


class CustomerSerializer(StrictSerializerMixin, CountryFieldMixin, serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(), allow_null=True, required=False
    )

    # A CharField with URL validation: Django accepts internationalised domain names, which
    # OpenAPI's "uri" format (and so a strict client) would not.
    website = serializers.CharField(
        max_length=300, required=False, allow_blank=True, validators=[validate_website]
    )

    account_status = serializers.SerializerMethodField(
        help_text="Active, inactive, suspended or deleted (not the relationship ``status``)."
    )
    custom_fields = CustomFieldsField("customer")
    tags = tags_field()

    class Meta:
        model = Customer
        fields = [
            "id",
            *[name for name in EDITABLE_FIELDS if name != "custom_field_data"],
            "custom_fields",
            "tags",
            "portal_access",
            "account_status",
            "account_status_reason",
            "is_archived",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "portal_access",
            "account_status_reason",
            "is_archived",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_account_status(self, customer) -> str:
        return account_status_of(customer)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "parent" in self.fields:
            self.fields["parent"].queryset = Customer.objects.visible_to(request.user)


class LinkedAccountSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = LinkedAccount
        fields = ["id", "customer", "provider", "kind", "external_id", "name", "created_at"]
        read_only_fields = fields


class AccountActionSerializer(StrictSerializerMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=["suspend", "deactivate", "reactivate", "delete"])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ContactSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A contact. ``roles`` are ids from /api/v1/contacts/roles/ (``role_names`` reads them);
    ``other_emails`` is a comma-separated list. The customer is set when created."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    roles = serializers.PrimaryKeyRelatedField(
        queryset=ContactRole.objects.none(), many=True, required=False
    )
    role_names = serializers.SerializerMethodField()
    custom_fields = CustomFieldsField("contact")
    tags = tags_field()

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            *CONTACT_FIELDS,
            "roles",
            "role_names",
            "custom_fields",
            "tags",
            "portal_user",
            "is_archived",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["portal_user", "is_archived", "archived_at", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)
            self.fields["roles"].child_relation.queryset = ContactRole.objects.all()

    def get_role_names(self, contact) -> list[str]:
        return [role.name for role in contact.roles.all()]


class ContactRoleSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = ContactRole
        fields = ["id", "name", "key", "order", "is_archived"]
        read_only_fields = fields


class ContactArchiveSerializer(StrictSerializerMixin, serializers.Serializer):
    archived = serializers.BooleanField(
        help_text="true: the contact left (archived with the date); false: restore them."
    )


class DuplicateQuerySerializer(StrictSerializerMixin, serializers.Serializer):
    """What a new customer would be called and reached at: the duplicate check's input."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    website = serializers.CharField(required=False, allow_blank=True, max_length=300)
    email = serializers.ListField(
        child=serializers.CharField(max_length=254), required=False, max_length=10
    )


class LikelyDuplicateSerializer(serializers.Serializer):
    """A customer that is probably the same company, and the console page to merge it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField(help_text="The customer in the API.")
    merge_page = serializers.CharField(
        help_text="The console page that merges another record into this customer."
    )
