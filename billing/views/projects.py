"""Projects: list, detail with history, create and edit, and the customer page's Projects
tab."""

from __future__ import annotations

from django.urls import reverse

from core.generic import ObjectDetailView, ObjectFormView, ObjectListView, ObjectUpdateMixin
from core.history import history_page
from core.policies import Capability, user_can
from customers.views.detail import CustomerChildrenView

from ..filters import ProjectFilterSet
from ..forms import ProjectForm
from ..models import Project
from ..services.projects import project_create, project_update
from ..tables import ProjectTable


class ProjectListView(ObjectListView):
    model = Project
    filterset_class = ProjectFilterSet
    table_class = ProjectTable
    export_name = "projects"
    add_url_name = "billing:project_create"
    nav_section = "projects"
    breadcrumbs = [("Projects", None)]

    def get_queryset(self):
        return Project.objects.visible_to(self.request.user).select_related("customer")


class ProjectDetailView(ObjectDetailView):
    model = Project
    template_name = "billing/project_detail.html"
    context_object_name = "project"
    nav_section = "projects"

    def get_queryset(self):
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("customer")
            .prefetch_related("locations")
        )

    def get_breadcrumbs(self):
        return [("Projects", reverse("billing:project_list")), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, entries = history_page(
            Project, self.object.history.all(), self.request.GET.get("page")
        )
        context.update(
            page_obj=page,
            entries=entries,
            asset_count=self.object.assets.count(),
            can_edit=user_can(self.request.user, Capability.EDIT_RECORDS),
        )
        return context


class ProjectCreateView(ObjectFormView):
    model = Project
    form_class = ProjectForm
    nav_section = "projects"

    initial_from_query = ("customer",)

    def save(self, form):
        data = dict(form.cleaned_data)
        locations = data.pop("locations", [])
        return project_create(actor=self.request.user, locations=locations, **data)


class ProjectUpdateView(ObjectUpdateMixin, ObjectFormView):
    model = Project
    form_class = ProjectForm
    nav_section = "projects"

    def save(self, form):
        data = dict(form.cleaned_data)
        locations = data.pop("locations", [])
        return project_update(
            project_id=self.object.pk, data=data, locations=locations, actor=self.request.user
        )


class CustomerProjectsView(CustomerChildrenView):
    """The customer page's Projects tab (registered in BillingConfig.ready)."""

    tab = "projects"
    child_model = Project
    table_class = ProjectTable
    list_url_name = "billing:project_list"
    filter_param = "customer_id"
    empty_text = "No projects yet."

    def get_children(self, queryset):
        return queryset.filter(customer_id__in=self.scope_ids).select_related("customer")
