from __future__ import annotations

from django.urls import reverse
from django.views.generic import TemplateView

from core.generic import (
    ObjectArchiveView,
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    ObjectUpdateMixin,
)
from core.history import history_page
from core.mixins import ConsoleAccessMixin
from core.policies import Capability, user_can
from customers.views.detail import CustomerChildrenView

from . import services
from .filters import LocationFilterSet
from .forms import LocationForm, LocationMoveForm
from .models import Location
from .tables import LocationTable


def locations_crumb():
    return ("Locations", reverse("locations:location_list"))


class LocationListView(ObjectListView):
    model = Location
    filterset_class = LocationFilterSet
    table_class = LocationTable
    import_kind = "locations"
    export_name = "locations"
    add_url_name = "locations:location_create"
    nav_section = "locations"
    breadcrumbs = [("Locations", None)]
    # Counting 250,000 locations (behind the deleted-customer check) took 40 ms of every page.
    always_cap_count = True

    def get_queryset(self):
        return Location.objects.visible_to(self.request.user).for_list()


class LocationPanel:
    """A panel another app adds to the location page (assets: what sits here), registered
    with register_location_panel() from its AppConfig.ready(). Built per request with the
    location; the page includes ``template_name`` with ``get_context_data()`` as ``panel``,
    and ``actions_template`` (if any) among the header's buttons for those who may edit."""

    template_name = ""
    actions_template = ""
    order = 100

    def __init__(self, request, location: Location):
        self.request = request
        self.object = location

    def get_context_data(self) -> dict:
        return {}


LOCATION_PANELS: list[type[LocationPanel]] = []


def register_location_panel(panel: type[LocationPanel]) -> None:
    if panel not in LOCATION_PANELS:
        LOCATION_PANELS.append(panel)
        LOCATION_PANELS.sort(key=lambda p: p.order)


class LocationDetailView(ObjectDetailView):
    model = Location
    template_name = "locations/location_detail.html"
    context_object_name = "location"
    nav_section = "locations"
    include_deleted = False

    def get_queryset(self):
        return Location.objects.visible_to(self.request.user).select_related("customer")

    def get_breadcrumbs(self):
        return [locations_crumb(), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        panels = [
            {
                "template_name": panel.template_name,
                "actions_template": panel.actions_template,
                **panel.get_context_data(),
            }
            for panel in (panel_class(self.request, self.object) for panel_class in LOCATION_PANELS)
        ]
        page, entries = history_page(
            Location, self.object.history.all(), self.request.GET.get("page")
        )
        context.update(
            panels=panels,
            page_obj=page,
            entries=entries,
            can_edit=user_can(user, Capability.EDIT_RECORDS),
            can_manage=user_can(user, Capability.MANAGE_RECORDS),
        )
        return context


class CustomerLocationsView(CustomerChildrenView):
    """The customer page's Locations tab (registered in LocationsConfig.ready)."""

    tab = "locations"
    child_model = Location
    table_class = LocationTable
    list_url_name = "locations:location_list"
    filter_param = "customer_id"
    empty_text = "No locations yet."

    def get_children(self, queryset):
        return queryset.filter(customer_id__in=self.scope_ids).live().for_list()


class LocationCreateView(ObjectFormView):
    model = Location
    form_class = LocationForm
    nav_section = "locations"

    initial_from_query = ("customer",)

    def save(self, form):
        return services.location_create(actor=self.request.user, **form.cleaned_data)


class LocationUpdateView(ObjectUpdateMixin, ObjectFormView):
    model = Location
    form_class = LocationForm
    nav_section = "locations"

    def save(self, form):
        return services.location_update(
            location_id=self.object.pk, data=form.cleaned_data, actor=self.request.user
        )


class LocationMoveView(ObjectUpdateMixin, ObjectFormView):
    """Give the location to another customer; recorded in its history."""

    model = Location
    form_class = LocationMoveForm
    nav_section = "locations"
    required_capability = Capability.MANAGE_RECORDS
    template_name = "locations/location_move.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return {**kwargs, "location": self.object}

    def get_breadcrumbs(self):
        return [
            locations_crumb(),
            (str(self.object), self.object.get_absolute_url()),
            ("Move", None),
        ]

    def save(self, form):
        return services.location_move(
            location_id=self.object.pk,
            customer=form.cleaned_data["customer"],
            actor=self.request.user,
        )


class LocationArchiveView(ObjectArchiveView):
    model = Location
    nav_section = "locations"
    archive_service = services.location_set_archived
    id_kwarg = "location_id"
    archive_explanation = (
        "Archived locations leave the location list and every location dropdown. They stay "
        "under the “Archived” filter and can still be picked by typing their name."
    )


class LocationAutocompleteView(ConsoleAccessMixin, TemplateView):
    """Options for location pickers: archived ones only when searched for."""

    template_name = "locations/partials/autocomplete_options.html"
    limit = 10

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        term = (self.request.GET.get("autocomplete_q") or self.request.GET.get("q") or "").strip()[
            :100
        ]
        locations = Location.objects.visible_to(self.request.user).select_related("customer")
        locations = locations.search(term) if term else locations.live()
        context["options"] = locations.order_by("is_archived", "name")[: self.limit]
        context["term"] = term
        return context
