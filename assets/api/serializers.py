from rest_framework import serializers

from assets.forms import ASSET_FIELDS
from assets.models import Asset
from billing.models import Project
from core.api.base import StrictSerializerMixin
from customers.models import Customer
from fields.serializers import CustomFieldsField, tags_field
from locations.models import Location


class AssetSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    custom_fields = CustomFieldsField("asset")
    tags = tags_field()
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(), allow_null=True, required=False
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(), allow_null=True, required=False
    )
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.none(), allow_null=True, required=False
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            *ASSET_FIELDS,
            "custom_fields",
            "tags",
            "is_archived",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_archived", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["owner"].queryset = Customer.objects.visible_to(request.user)
            self.fields["location"].queryset = Location.objects.visible_to(request.user)
            self.fields["project"].queryset = Project.objects.visible_to(request.user)
