"""The company's locations and assets."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.views.generic import FormView

from assets.models import Asset
from assets.tables import AssetTable
from core.querysets import access
from core.scope import scope_for
from locations.models import Location
from locations.tables import LocationTable
from portal.filters import PortalAssetFilterSet, PortalLocationFilterSet
from portal.forms import PortalLocationForm
from portal.models import PortalPermission

from .base import PortalListView, PortalMixin


class LocationsView(PortalListView):
    model = Location
    filterset_class = PortalLocationFilterSet
    table_class = LocationTable
    table_exclude = ("customer", "city", "country")
    export_name = "locations"
    section = "locations"
    required_permission = PortalPermission.VIEW_LOCATIONS
    edit_permission = PortalPermission.MANAGE_LOCATIONS

    def get_queryset(self):
        locations = Location.objects.visible_to(self.request.user).filter(customer=self.company)
        return locations.live()


class LocationEditView(PortalMixin, FormView):
    template_name = "portal/location_form.html"
    section = "locations"
    required_permission = PortalPermission.MANAGE_LOCATIONS
    form_class = PortalLocationForm

    def get_form_kwargs(self):
        self.location = access(
            Location.objects.filter(customer=self.company),
            scope_for(self.request.user),
            self.kwargs["lid"],
            "change",
        )
        return {**super().get_form_kwargs(), "instance": self.location}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "location": self.location}

    def form_valid(self, form):
        from locations.services import location_update

        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        location_update(location_id=self.location.pk, data=fields, actor=self.request.user)
        messages.success(self.request, f"Saved {self.location.name}.")
        return redirect("portal:locations", cid=self.company.pk)


class AssetsView(PortalListView):
    model = Asset
    filterset_class = PortalAssetFilterSet
    table_class = AssetTable
    table_exclude = ("selection",)
    export_name = "assets"
    section = "assets"
    required_permission = PortalPermission.VIEW_ASSETS

    def get_queryset(self):
        return (
            Asset.objects.visible_to(self.request.user)
            .filter(Q(owner=self.company) | Q(location__customer=self.company))
            .live()
            .select_related("owner", "location")
        )
