"""The company's locations and assets."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView

from assets.models import Asset
from locations.models import Location
from portal.forms import PortalLocationForm
from portal.models import PortalPermission

from .base import PortalListView, PortalMixin


class LocationsView(PortalListView):
    template_name = "portal/locations.html"
    section = "locations"
    required_permission = PortalPermission.VIEW_LOCATIONS
    context_object_name = "locations"

    def records(self, term: str):
        locations = Location.objects.visible_to(self.request.user).filter(customer=self.company)
        return locations.live().search(term).order_by("name", "pk")


class LocationEditView(PortalMixin, FormView):
    template_name = "portal/location_form.html"
    section = "locations"
    required_permission = PortalPermission.MANAGE_LOCATIONS
    form_class = PortalLocationForm

    def get_form_kwargs(self):
        self.location = get_object_or_404(
            Location.objects.visible_to(self.request.user).filter(customer=self.company),
            pk=self.kwargs["lid"],
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
    template_name = "portal/assets.html"
    section = "assets"
    required_permission = PortalPermission.VIEW_ASSETS
    context_object_name = "assets"

    def records(self, term: str):
        return (
            Asset.objects.visible_to(self.request.user)
            .filter(Q(owner=self.company) | Q(location__customer=self.company))
            .live()
            .search(term)
            .select_related("owner", "location")
            .order_by("name", "pk")
        )
