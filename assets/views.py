from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from core.generic import (
    ObjectArchiveView,
    ObjectChildrenMixin,
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    ObjectUpdateMixin,
)
from core.history import history_page
from core.mixins import ConsoleAccessMixin
from core.policies import Capability, user_can
from core.redirects import local_path
from customers.views.detail import CustomerChildrenView
from locations.views import LocationPanel

from . import services
from .filters import AssetFilterSet
from .forms import AssetBulkForm, AssetForm
from .models import Asset
from .panels import asset_panels
from .tables import AssetTable


class AssetListView(ObjectListView):
    model = Asset
    filterset_class = AssetFilterSet
    table_class = AssetTable
    template_name = "assets/asset_list.html"
    results_template_name = "assets/asset_results.html"
    import_kind = "assets"
    export_name = "assets"
    add_url_name = "assets:asset_create"
    nav_section = "assets"
    breadcrumbs = [("Assets", None)]
    always_cap_count = True  # counting a million assets cost 120 ms of every page

    def get_queryset(self):
        return Asset.objects.visible_to(self.request.user).for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["results_template"] = self.results_template_name
        if user_can(self.request.user, Capability.EDIT_RECORDS):
            context["bulk_form"] = AssetBulkForm(user=self.request.user)
            context["can_archive"] = user_can(self.request.user, Capability.MANAGE_RECORDS)
        return context


class AssetBulkView(ConsoleAccessMixin, TemplateView):
    """One change on the selected assets, all or nothing, each recorded in history."""

    required_capability = Capability.EDIT_RECORDS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = AssetBulkForm(request.POST, user=request.user)
        back = local_path(request, request.POST.get("next", ""), reverse("assets:asset_list"))
        if not form.is_valid():
            errors = [e for field_errors in form.errors.values() for e in field_errors]
            messages.error(request, "Nothing was changed: " + " ".join(errors))
            return redirect(back)
        data = form.cleaned_data
        if data["action"] == "archive" and not user_can(request.user, Capability.MANAGE_RECORDS):
            messages.error(request, "Nothing was changed: only admins archive assets.")
            return redirect(back)
        try:
            changed = services.assets_bulk_change(
                visible=Asset.objects.visible_to(request.user),
                asset_ids=data["asset_ids"],
                action=data["action"],
                location=data.get("location"),
                status=data.get("status"),
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Changed {changed} asset{'s' if changed != 1 else ''}.")
        return redirect(back)


class AssetDetailView(ObjectDetailView):
    model = Asset
    template_name = "assets/asset_detail.html"
    context_object_name = "asset"
    nav_section = "assets"

    def get_queryset(self):
        return Asset.objects.visible_to(self.request.user).select_related(
            "owner", "location", "location__customer", "project"
        )

    def get_breadcrumbs(self):
        return [("Assets", reverse("assets:asset_list")), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, entries = history_page(Asset, self.object.history.all(), self.request.GET.get("page"))
        user = self.request.user
        context.update(
            panels=asset_panels(self.request, self.object),
            page_obj=page,
            entries=entries,
            can_edit=user_can(user, Capability.EDIT_RECORDS),
            can_manage=user_can(user, Capability.MANAGE_RECORDS),
        )
        return context


class AssetCreateView(ObjectFormView):
    model = Asset
    form_class = AssetForm
    nav_section = "assets"

    initial_from_query = ("owner", "location", "project")

    def save(self, form):
        return services.asset_create(actor=self.request.user, **form.cleaned_data)


class AssetUpdateView(ObjectUpdateMixin, ObjectFormView):
    model = Asset
    form_class = AssetForm
    nav_section = "assets"

    def save(self, form):
        return services.asset_update(
            asset_id=self.object.pk, data=form.cleaned_data, actor=self.request.user
        )


class AssetArchiveView(ObjectArchiveView):
    model = Asset
    nav_section = "assets"
    archive_service = services.asset_set_archived
    id_kwarg = "asset_id"
    archive_explanation = (
        "Archived assets leave the asset list; they stay under the “Archived” filter."
    )


class CustomerAssetsOnLocationView(CustomerChildrenView):
    """The customer page's "Assets on location" tab: what sits at the customer's sites,
    whoever owns it (registered in AssetsConfig.ready)."""

    tab = "assets_on_location"
    child_model = Asset
    table_class = AssetTable
    list_url_name = "assets:asset_list"
    filter_param = "location_customer_id"
    empty_text = "No assets at this customer's locations."

    def get_children(self, queryset):
        return queryset.filter(location__customer_id__in=self.scope_ids).live().for_list()


class CustomerAssetsOwnedView(CustomerChildrenView):
    """The customer page's "Assets owned" tab: what the customer owns, wherever it is (at
    another site, or back with us for repair)."""

    tab = "assets_owned"
    child_model = Asset
    table_class = AssetTable
    list_url_name = "assets:asset_list"
    filter_param = "owner_id"
    empty_text = "This customer owns no assets."

    def get_children(self, queryset):
        return queryset.filter(owner_id__in=self.scope_ids).live().for_list()


class LocationAssetsPanel(ObjectChildrenMixin, LocationPanel):
    """The location page's "Assets here": what sits at the site, with its own sort and page
    parameters (registered in AssetsConfig.ready)."""

    template_name = "assets/_location_assets.html"
    actions_template = "assets/_location_assets_actions.html"
    child_model = Asset
    table_class = AssetTable
    table_prefix = "assets-"

    def get_children(self, queryset):
        return queryset.filter(location=self.object).for_list()

    def get_context_data(self) -> dict:
        return {"table": self.get_children_table()}
