"""Tickets in the API: list (filter by company, status, priority, assignee, open) and read
what the caller's scope reaches; open one on a company's behalf; change its status,
priority, category or assignee; read and add to its thread (replies and internal notes);
merge a duplicate. Writes go through tickets.services (merging through tickets.merging)."""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.base import check_if_match, etag_of, service_errors_as_400
from core.api.policy import ConsolePermission

from .. import merging, services
from ..models import Message, Ticket, TicketPriority, TicketStatus
from ..querysets import OPEN_STATUSES
from .serializers import (
    MergeSerializer,
    MessageSerializer,
    ReplySerializer,
    TicketCreateSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
)


class TicketFilterSet(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")
    status = django_filters.ChoiceFilter(choices=TicketStatus.choices)
    priority = django_filters.ChoiceFilter(choices=TicketPriority.choices)
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    open = django_filters.BooleanFilter(method="filter_open", label="Unresolved")

    class Meta:
        model = Ticket
        fields = ["customer", "status", "priority", "assignee", "open"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_STATUSES)
            if value
            else queryset.exclude(status__in=OPEN_STATUSES)
        )


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Ticket.objects.all()
    serializer_class = TicketSerializer
    permission_classes = [ConsolePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    uses_etags = True  # PATCH needs the ETag a GET gave, in If-Match

    def get_queryset(self):
        return Ticket.objects.visible_to(self.request.user).order_by("-last_activity_at", "-id")

    def get_serializer_class(self):
        return {
            "create": TicketCreateSerializer,
            "partial_update": TicketUpdateSerializer,
            "messages": ReplySerializer if self.request.method == "POST" else MessageSerializer,
            "merge": MergeSerializer,
        }.get(self.action, TicketSerializer)

    def _read(self, ticket: Ticket) -> dict:
        return TicketSerializer(self.get_queryset().get(pk=ticket.pk)).data

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            with service_errors_as_400():
                ticket = services.ticket_open(
                    actor=request.user,
                    customer_id=data["customer"],
                    subject=data["subject"],
                    description=data["description"],
                    category=data.get("category", ""),
                    priority=data.get("priority", ""),
                    requester_email=data["requester_email"],
                    asset_id=data["asset"],
                    location_id=data["location"],
                )
        except Http404:
            raise ValidationError({"customer": ["No such record."]}) from None
        return Response(self._read(ticket), status=status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_of(self.get_object())
        return response

    @extend_schema(request=TicketUpdateSerializer, responses={200: TicketSerializer})
    def partial_update(self, request, *args, **kwargs):
        ticket = self.get_object()
        check_if_match(request, ticket)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        new_status = data.pop("status", None)
        if "assignee" in data:
            data["assignee_id"] = data.pop("assignee")
        with service_errors_as_400(), transaction.atomic():
            if data:
                services.ticket_update(actor=request.user, ticket_id=ticket.pk, data=data)
            if new_status and new_status != ticket.status:
                services.ticket_set_status(
                    actor=request.user, ticket_id=ticket.pk, status=new_status, reason=reason
                )
        response = Response(self._read(ticket))
        response["ETag"] = etag_of(self.get_queryset().get(pk=ticket.pk))
        return response

    @extend_schema(methods=["GET"], request=None, responses={200: MessageSerializer(many=True)})
    @extend_schema(methods=["POST"], request=ReplySerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, pk=None):
        """The thread (public replies and internal notes), or a new reply or note."""
        ticket = self.get_object()
        if request.method == "GET":
            thread = Message.objects.filter(ticket=ticket).order_by("created_at", "id")
            page = self.paginate_queryset(thread)
            return self.get_paginated_response(MessageSerializer(page, many=True).data)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors_as_400():
            message = services.ticket_reply(
                actor=request.user,
                ticket_id=ticket.pk,
                body=data["body"],
                internal=data["internal"],
                status=data["status"],
            )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MergeSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge this ticket into the one it repeats (same company); returns that one."""
        ticket = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            target = merging.ticket_merge(
                actor=request.user, ticket_id=ticket.pk, into_id=serializer.validated_data["into"]
            )
        return Response(self._read(target))
