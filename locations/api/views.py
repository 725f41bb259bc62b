from django_filters.rest_framework import DjangoFilterBackend

from core.api.base import ServiceModelViewSet
from locations import services
from locations.filters import LocationFilterSet
from locations.models import Location

from .serializers import LocationSerializer


class LocationViewSet(ServiceModelViewSet):
    """Locations; each belongs to one customer (moving one is a console action)."""

    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = LocationFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_with_service(self, data):
        return services.location_create(actor=self.request.user, **data)

    def update_with_service(self, instance, data):
        data = {key: value for key, value in data.items() if key != "customer"}
        return services.location_update(location_id=instance.pk, data=data, actor=self.request.user)
