"""Documents in the API: list (filter by customer, location or asset) and read what the
caller's scope reaches, upload a document or a new version (multipart), download a version.
Everything starts from the policy layer; writes go through documents.services."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import service_errors_as_400
from core.api.policy import ConsolePermission, TextSafeJSONParser

from .. import services
from ..downloads import version_response
from ..models import Document
from .serializers import (
    DocumentSerializer,
    DocumentUploadSerializer,
    DocumentVersionSerializer,
    DocumentVersionUploadSerializer,
)


class DocumentFilterSet(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")
    location = django_filters.NumberFilter(field_name="location_id")
    asset = django_filters.NumberFilter(field_name="asset_id")
    is_archived = django_filters.BooleanFilter()
    shared_with_portal = django_filters.BooleanFilter()

    class Meta:
        model = Document
        fields = ["customer", "location", "asset", "is_archived", "shared_with_portal"]


class DocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    permission_classes = [ConsolePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = DocumentFilterSet
    # JSON is read too, to answer it with the missing file's 400 rather than a 415.
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, TextSafeJSONParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (
            Document.objects.visible_to(self.request.user)
            .select_related("current")
            .prefetch_related("versions")
            .order_by("pk")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return DocumentUploadSerializer
        if self.action == "versions":
            return DocumentVersionUploadSerializer
        return DocumentSerializer

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors_as_400():
            document = services.document_create(
                actor=request.user,
                record_type=data["record_type"],
                record_id=data["record_id"],
                file=data["file"],
                title=data["title"],
                description=data["description"],
                shared_with_portal=data["shared_with_portal"],
            )
        document = self.get_queryset().get(pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": DocumentVersionUploadSerializer},
        responses={201: DocumentVersionSerializer},
    )
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        """Upload a new version; it becomes the document's current one."""
        document = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            version = services.document_version_add(
                actor=request.user, document_id=document.pk, file=serializer.validated_data["file"]
            )
        return Response(DocumentVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "version",
                OpenApiTypes.INT,
                description="A version's id (default: the current version).",
            )
        ],
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file (images and PDF inline)."
            )
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The bytes of a version, after the same scope check as the document."""
        document = self.get_object()
        wanted = request.query_params.get("version")
        if wanted in (None, ""):
            version = document.current
        else:
            try:
                wanted = int(wanted)
            except (TypeError, ValueError):
                raise Http404("No such version.") from None
            version = document.versions.filter(pk=wanted).first()
        if version is None:
            raise Http404("No such version.")
        return version_response(version)
