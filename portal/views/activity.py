"""The company's activity in the portal: the notes, calls, meetings and tasks staff explicitly
shared with it, on the company itself (with the overview), its locations (with the locations
section) and its assets (with the assets section). An unshared entry never reaches the
portal: it is not in the list, whatever the page or id asked for."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.views.generic import TemplateView

from activity.models import Entry
from core.scope import scope_for
from portal.models import PortalPermission

from .base import PortalMixin

PER_PAGE = 25


def shared_entries(user, company):
    """The shared entries of ``company`` (in the user's scope) whose section the user may see."""
    scope = scope_for(user)
    reach = Q()
    if scope.portal_can(PortalPermission.VIEW_OVERVIEW):
        reach |= Q(customer=company)
    if scope.portal_can(PortalPermission.VIEW_LOCATIONS):
        reach |= Q(location__customer=company)
    if scope.portal_can(PortalPermission.VIEW_ASSETS):
        reach |= Q(asset__owner=company) | Q(asset__location__customer=company)
    entries = Entry.objects.restrict(scope).shared()
    return entries.filter(reach) if reach else entries.none()


class ActivityView(PortalMixin, TemplateView):
    template_name = "portal/activity.html"
    section = "activity"
    required_permission = PortalPermission.VIEW_OVERVIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = (
            shared_entries(self.request.user, self.company)
            .select_related("location", "asset", "contact", "author")
            .order_by("-occurred_at", "-id")
        )
        context["entries"] = Paginator(entries, PER_PAGE).get_page(self.request.GET.get("page"))
        return context
