from rest_framework import serializers

from billing.forms import PROJECT_FIELDS
from billing.models import Project
from core.api.base import StrictSerializerMixin
from customers.models import Customer
from locations.models import Location


class ProjectSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    locations = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(), many=True, required=False
    )
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", *PROJECT_FIELDS, "status", "customer_name", "created_at", "updated_at"]
        read_only_fields = ["customer_name", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)
            self.fields["locations"].child_relation.queryset = Location.objects.visible_to(
                request.user
            )

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if self.instance is not None:
            start = start or self.instance.start_date
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": "The end date cannot be before the start date."}
            )
        return attrs
