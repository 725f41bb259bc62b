"""Shared API machinery: policy-based permissions, per-token throttling, cursor pagination,
ETag / If-Match on writes, strict input, JSON errors."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import (
    exceptions,
    serializers,
    status,
    viewsets,
)
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..services import ConcurrentEditError
from .policy import (  # noqa: F401 - re-exported
    ConsolePermission,
    IdCursorPagination,
    TokenRateThrottle,
)


class StrictSerializerMixin:
    """Unknown fields are an error, not silently dropped."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in sorted(unknown)}
                )
        return super().to_internal_value(data)


@contextmanager
def service_errors_as_400():
    """A service's ValidationError is the client's 400, by field where it names fields."""
    try:
        yield
    except DjangoValidationError as error:
        raise serializers.ValidationError(
            getattr(error, "message_dict", {"detail": error.messages})
        ) from error


def etag_of(instance) -> str:
    version = getattr(instance, "version", None)
    changed = getattr(instance, "updated_at", None) or instance.created_at
    stamp = version if version is not None else int(changed.timestamp() * 1_000_000)
    return f'"{instance.pk}-{stamp}"'


def check_if_match(request, instance) -> str:
    """The record's ETag, once the request's If-Match names it (428 without one, 412 when the
    record changed since the client read it)."""
    given = request.headers.get("If-Match")
    if not given:
        raise PreconditionRequired()
    current = etag_of(instance)
    if given.strip() != current:
        raise PreconditionFailed()
    return current


class ServiceModelViewSet(viewsets.ModelViewSet):
    """Reads start from the policy layer (``visible_to``); writes go through the app's
    services (history, rules, emails); updates need a current ``If-Match``."""

    permission_classes = [ConsolePermission]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    uses_etags = True  # the schema documents ETag, If-Match, 412 and 428

    def get_queryset(self):
        return self.queryset.model.objects.visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if self.uses_etags:
            response["ETag"] = etag_of(self.get_object())
        return response

    def check_if_match(self, instance) -> None:
        check_if_match(self.request, instance)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_if_match(instance)
        self.checked_etag = etag_of(instance)
        response = super().update(request, *args, **kwargs)
        response["ETag"] = etag_of(self.get_object())
        return response

    def perform_create(self, serializer):
        with service_errors_as_400():
            serializer.instance = self.create_with_service(serializer.validated_data)

    def perform_update(self, serializer):
        # DRF reads the record again before saving: if someone saved in between, the record
        # the client matched is gone, whatever the new copy's version says.
        checked = getattr(self, "checked_etag", None)
        if checked is not None and etag_of(serializer.instance) != checked:
            raise PreconditionFailed()
        with service_errors_as_400():
            try:
                serializer.instance = self.update_with_service(
                    serializer.instance, serializer.validated_data
                )
            except ConcurrentEditError as conflict:
                # Someone saved between the If-Match check and the row lock: the same 412.
                raise PreconditionFailed() from conflict

    def create_with_service(self, data):
        raise NotImplementedError

    def update_with_service(self, instance, data):
        raise NotImplementedError


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = (
        "Send the ETag you last read in an If-Match header; updates without it are refused."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record changed since you read it (If-Match does not match). Read it again and retry."
    )
    default_code = "precondition_failed"

    def __init__(self, detail=None, code=None):
        super().__init__(detail, code)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Anything under /api/ that no route matches (e.g. an id with a dot in it) is a JSON 404
    like DRF's own, not the console's HTML page (nor, for a write, the HTML CSRF failure)."""
    return JsonResponse({"detail": "Not found."}, status=404)


def api_exception_handler(exc, context):
    """Every error is JSON; a too-large body is a 413, not a crash."""
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "The request body is too large."}, status=413)
    return exception_handler(exc, context)
