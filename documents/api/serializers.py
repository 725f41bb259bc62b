from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.models import Asset
from core.api.base import StrictSerializerMixin
from customers.models import Customer
from locations.models import Location

from ..files import ALLOWED_LABEL
from ..models import RECORD_FIELDS, Document, DocumentVersion

RECORD_MODELS = {"customer": Customer, "location": Location, "asset": Asset}


class DocumentVersionSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "number",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_download_url(self, version) -> str:
        url = reverse("api:document-download", kwargs={"pk": version.document_id})
        return f"{url}?version={version.pk}"


class DocumentSerializer(serializers.ModelSerializer):
    current_version = DocumentVersionSerializer(source="current", read_only=True, allow_null=True)
    versions = DocumentVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "description",
            "customer",
            "location",
            "asset",
            "shared_with_portal",
            "is_archived",
            "created_at",
            "updated_at",
            "current_version",
            "versions",
        ]
        read_only_fields = fields


class DocumentUploadSerializer(StrictSerializerMixin, serializers.Serializer):
    """A new document with its first version (multipart): exactly one of ``customer``,
    ``location`` or ``asset``."""

    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(), required=False, allow_null=True
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(), required=False, allow_null=True
    )
    asset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.none(), required=False, allow_null=True
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    shared_with_portal = serializers.BooleanField(required=False, default=False)
    file = serializers.FileField(help_text=f"{ALLOWED_LABEL}.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            for name, model in RECORD_MODELS.items():
                self.fields[name].queryset = model.objects.visible_to(request.user)

    def validate(self, attrs):
        chosen = [name for name in RECORD_FIELDS if attrs.get(name) is not None]
        if len(chosen) != 1:
            raise serializers.ValidationError(
                {"detail": ["Name exactly one record: customer, location or asset."]}
            )
        attrs["record_type"] = chosen[0]
        attrs["record_id"] = attrs[chosen[0]].pk
        return attrs


class DocumentVersionUploadSerializer(StrictSerializerMixin, serializers.Serializer):
    file = serializers.FileField(help_text=f"{ALLOWED_LABEL}.")
