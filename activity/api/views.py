"""Activity in the API: list (filter by customer, location, asset, kind, assignee, open) and
read what the caller's scope reaches; create notes, calls, meetings and tasks; edit; delete
(its author or an admin); complete and reopen tasks. Writes go through activity.services."""

from __future__ import annotations

import contextlib

import django_filters
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.base import service_errors_as_400
from core.api.policy import ConsolePermission
from core.policies import Capability, user_can

from .. import services
from ..models import Entry, EntryKind
from .serializers import EntryCreateSerializer, EntrySerializer, EntryUpdateSerializer


@contextlib.contextmanager
def _missing_record_as_400(field: str):
    """A record named in the body that does not exist (or is out of reach) is bad input on
    that field, not a missing page."""
    try:
        yield
    except Http404:
        raise ValidationError({field: ["No such record."]}) from None


class EntryFilterSet(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")
    location = django_filters.NumberFilter(field_name="location_id")
    asset = django_filters.NumberFilter(field_name="asset_id")
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices)
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    open = django_filters.BooleanFilter(field_name="completed_at", lookup_expr="isnull")
    shared_with_portal = django_filters.BooleanFilter()

    class Meta:
        model = Entry
        fields = ["customer", "location", "asset", "kind", "assignee", "open", "shared_with_portal"]


class ActivityPermission(ConsolePermission):
    """Deleting an entry is its author's or an admin's (the service checks which): the
    role needs only to edit records."""

    def has_permission(self, request, view) -> bool:
        if request.method == "DELETE":
            return user_can(request.user, Capability.EDIT_RECORDS)
        return super().has_permission(request, view)


class EntryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Entry.objects.all()
    serializer_class = EntrySerializer
    permission_classes = [ActivityPermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = EntryFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Entry.objects.visible_to(self.request.user)
            .prefetch_related("mentions")
            .order_by("-occurred_at", "-id")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return EntryCreateSerializer
        if self.action == "partial_update":
            return EntryUpdateSerializer
        return EntrySerializer

    def _read(self, entry: Entry) -> Response:
        return EntrySerializer(self.get_queryset().get(pk=entry.pk)).data

    @extend_schema(request=EntryCreateSerializer, responses={201: EntrySerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        common = {
            "actor": request.user,
            "record_type": data["record_type"],
            "record_id": data["record_id"],
            "shared_with_portal": data["shared_with_portal"],
        }
        with service_errors_as_400(), _missing_record_as_400(data["record_type"]):
            if data["kind"] == EntryKind.NOTE:
                entry = services.note_create(**common, body=data["body"])
            elif data["kind"] == EntryKind.TASK:
                entry = services.task_create(
                    **common,
                    title=data["title"],
                    assignee_id=data["assignee"],
                    due_date=data["due_date"],
                    remind_at=data["remind_at"],
                    body=data["body"],
                )
            else:
                entry = services.call_log(
                    **common,
                    kind=data["kind"],
                    occurred_at=data["occurred_at"],
                    duration_minutes=data["duration_minutes"],
                    contact_id=data["contact"],
                    outcome=data["outcome"],
                    title=data["title"],
                    body=data["body"],
                )
        return Response(self._read(entry), status=status.HTTP_201_CREATED)

    @extend_schema(request=EntryUpdateSerializer, responses={200: EntrySerializer})
    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with service_errors_as_400():
            if entry.kind == EntryKind.NOTE:
                unknown = sorted(set(data) - {"body", "shared_with_portal"})
                if unknown:
                    from rest_framework.exceptions import ValidationError

                    raise ValidationError({name: ["Not a field of a note."] for name in unknown})
                entry = services.note_update(
                    actor=request.user,
                    entry_id=entry.pk,
                    body=data.get("body", entry.body),
                    shared_with_portal=data.get("shared_with_portal"),
                )
            elif entry.is_task:
                if "assignee" in data:
                    data["assignee_id"] = data.pop("assignee")
                entry = services.task_update(actor=request.user, entry_id=entry.pk, data=data)
            else:
                if "contact" in data:
                    data["contact_id"] = data.pop("contact")
                entry = services.call_update(actor=request.user, entry_id=entry.pk, data=data)
        return Response(self._read(entry))

    def destroy(self, request, *args, **kwargs):
        entry = self.get_object()
        services.entry_delete(actor=request.user, entry_id=entry.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: EntrySerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Tick a task done (who and when are recorded)."""
        entry = self.get_object()
        with service_errors_as_400():
            entry = services.task_complete(actor=request.user, entry_id=entry.pk)
        return Response(self._read(entry))

    @extend_schema(request=None, responses={200: EntrySerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Tick a done task undone."""
        entry = self.get_object()
        with service_errors_as_400():
            entry = services.task_reopen(actor=request.user, entry_id=entry.pk)
        return Response(self._read(entry))
