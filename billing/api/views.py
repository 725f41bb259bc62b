from django_filters.rest_framework import DjangoFilterBackend

from billing import services
from billing.filters import ProjectFilterSet
from billing.models import Project
from core.api.base import ServiceModelViewSet

from .serializers import ProjectSerializer


class ProjectViewSet(ServiceModelViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProjectFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("customer")
            .prefetch_related("locations")
        )

    def create_with_service(self, data):
        data = dict(data)
        locations = data.pop("locations", [])
        return services.project_create(actor=self.request.user, locations=locations, **data)

    def update_with_service(self, instance, data):
        data = dict(data)
        locations = data.pop("locations", None)
        return services.project_update(
            project_id=instance.pk, data=data, locations=locations, actor=self.request.user
        )
