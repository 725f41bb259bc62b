"""Contracts in the API: list (by company, state, type) and read what the caller's scope
reaches; create; update with If-Match; renew and terminate. Writes go through
contracts.services."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ServiceModelViewSet, service_errors_as_400

from .. import services
from ..models import Contract, ContractKind, ContractState
from .serializers import ContractSerializer, TerminateSerializer


class ContractApiFilterSet(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")
    kind = django_filters.ChoiceFilter(choices=ContractKind.choices)
    state = django_filters.ChoiceFilter(choices=ContractState.choices, method="filter_state")

    class Meta:
        model = Contract
        fields = ["customer", "kind", "state"]

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value, timezone.localdate())


class ContractViewSet(ServiceModelViewSet):
    """Contracts of the companies the caller reaches."""

    queryset = Contract.objects.all()
    serializer_class = ContractSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ContractApiFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().order_by("-start_date", "-id")

    def create_with_service(self, data):
        data = dict(data)
        customer = data.pop("customer")
        return services.contract_create(actor=self.request.user, customer_id=customer.pk, **data)

    def update_with_service(self, instance, data):
        data = {key: value for key, value in data.items() if key != "customer"}
        return services.contract_update(actor=self.request.user, contract_id=instance.pk, data=data)

    def _read(self, contract: Contract) -> dict:
        return ContractSerializer(
            self.get_queryset().get(pk=contract.pk), context=self.get_serializer_context()
        ).data

    @extend_schema(request=None, responses={200: ContractSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Start the next term now (the end date moves on by the renewal period)."""
        contract = self.get_object()
        with service_errors_as_400():
            services.contract_renew(actor=request.user, contract_id=contract.pk)
        return Response(self._read(contract))

    @extend_schema(request=TerminateSerializer, responses={200: ContractSerializer})
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """End the contract (at the end of its term unless ``on`` says when); managers."""
        contract = self.get_object()
        serializer = TerminateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            services.contract_terminate(
                actor=request.user,
                contract_id=contract.pk,
                on=serializer.validated_data.get("on"),
                reason=serializer.validated_data["reason"],
            )
        return Response(self._read(contract))
