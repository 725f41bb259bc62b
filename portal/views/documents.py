"""The company's documents in the portal, for users given "See shared documents" (every
role's but Limited without the Documents section, and custom sets without it): those staff
shared with it, on the company itself
(with the overview), its locations (with the locations section) and its assets (with the
assets section). Downloads check the same scope; an unshared, archived or other company's
document is the same 404 as one that does not exist."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.views.generic import TemplateView, View

from core.querysets import access
from core.scope import scope_for
from documents.downloads import version_response
from documents.models import Document
from portal.models import PortalPermission

from .base import PortalMixin

PER_PAGE = 25


def shared_documents(user, company):
    """The shared documents of ``company`` (in the user's scope), for users who may see
    documents, whose section the user may see too: the company's own (overview), its
    locations' and its assets'."""
    scope = scope_for(user)
    if not scope.portal_can(PortalPermission.VIEW_DOCUMENTS):
        return Document.objects.none()
    reach = Q()
    if scope.portal_can(PortalPermission.VIEW_OVERVIEW):
        reach |= Q(customer=company)
    if scope.portal_can(PortalPermission.VIEW_LOCATIONS):
        reach |= Q(location__customer=company)
    if scope.portal_can(PortalPermission.VIEW_ASSETS):
        reach |= Q(asset__owner=company) | Q(asset__location__customer=company)
    documents = Document.objects.restrict(scope).shared()
    return documents.filter(reach) if reach else documents.none()


class DocumentsView(PortalMixin, TemplateView):
    template_name = "portal/documents.html"
    section = "documents"
    required_permission = PortalPermission.VIEW_DOCUMENTS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        documents = (
            shared_documents(self.request.user, self.company)
            .select_related("location", "asset")
            .for_list()
            .order_by("title", "pk")
        )
        context["documents"] = Paginator(documents, PER_PAGE).get_page(self.request.GET.get("page"))
        return context


class DocumentDownloadView(PortalMixin, View):
    required_permission = PortalPermission.VIEW_DOCUMENTS

    def get(self, request, *args, **kwargs):
        document = access(
            shared_documents(request.user, self.company).select_related("current"),
            scope_for(request.user),
            kwargs["did"],
        )
        if document.current is None:
            raise Http404("No such document.")
        return version_response(document.current)
