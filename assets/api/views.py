from django_filters.rest_framework import DjangoFilterBackend

from assets import services
from assets.filters import AssetFilterSet
from assets.models import Asset
from core.api.base import ServiceModelViewSet

from .serializers import AssetSerializer


class AssetViewSet(ServiceModelViewSet):
    """Assets: owner and location need not agree (hardware as a service, repairs)."""

    queryset = Asset.objects.all()
    serializer_class = AssetSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AssetFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_with_service(self, data):
        return services.asset_create(actor=self.request.user, **data)

    def update_with_service(self, instance, data):
        return services.asset_update(asset_id=instance.pk, data=data, actor=self.request.user)
