from django.utils import timezone
from rest_framework import serializers

from activity.markdown import staff_users
from core.api.base import StrictSerializerMixin
from customers.models import Customer
from tickets.models_sla import SlaPolicy

from ..models import Contract
from ..services import EDITABLE


class ContractSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=staff_users(), required=False, allow_null=True
    )
    sla_policy = serializers.PrimaryKeyRelatedField(
        queryset=SlaPolicy.objects.all(), required=False, allow_null=True
    )
    reference = serializers.CharField(read_only=True)
    state = serializers.SerializerMethodField()
    notice_deadline = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "customer",
            *EDITABLE,
            "state",
            "notice_deadline",
            "term_started_on",
            "terminated_on",
            "termination_reason",
            "signed_document",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "term_started_on",
            "terminated_on",
            "termination_reason",
            "signed_document",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)

    def get_state(self, contract) -> str:
        return contract.state(timezone.localdate()).value

    def validate(self, attrs):
        # The service checks the terms (with the actor's scope); the model's own clean runs
        # there too, so nothing is half-validated here.
        return attrs


class TerminateSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200)
