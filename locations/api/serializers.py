from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from core.api.base import StrictSerializerMixin
from customers.models import Customer
from fields.serializers import CustomFieldsField, tags_field
from locations.forms import LOCATION_FIELDS
from locations.models import Location


class LocationSerializer(StrictSerializerMixin, CountryFieldMixin, serializers.ModelSerializer):
    custom_fields = CustomFieldsField("location")
    tags = tags_field()
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())

    class Meta:
        model = Location
        fields = [
            "id",
            *LOCATION_FIELDS,
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
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)
