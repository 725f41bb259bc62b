import zoneinfo

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.utils import timezone
from django_tenants.middleware.main import TenantMainMiddleware

from core.formats import locale_override

from .services import base_url_for


def unknown_host_response(request, hostname: str):
    """A styled 404 for hosts that name no (active) tenant; rendered directly, so DEBUG or not."""
    return render(
        request,
        "errors/unknown_host.html",
        {"hostname": hostname, "platform_url": base_url_for(settings.PLATFORM_DOMAIN)},
        status=404,
    )


def missing_schema_response(request, tenant):
    """A tenant whose schema is gone (dropped, being restored or moved): a plain page, no stack
    trace, and the request stops before anything could read or write with a search_path that
    falls through to the public schema's tables of the same names (users, sessions)."""
    response = render(
        request,
        "errors/workspace_unavailable.html",
        {"workspace": tenant.name, "platform_url": base_url_for(settings.PLATFORM_DOMAIN)},
        status=503,
    )
    response["Retry-After"] = "300"
    return response


# Asked with the tenant lookup itself (no extra query per request).
SCHEMA_PRESENT_SQL = (
    "EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = tenants_tenant.schema_name)"
)


class TenantHostMiddleware(TenantMainMiddleware):
    """Routes a host to its tenant's schema; unknown, template and deactivated tenants get a 404,
    a tenant whose schema is missing a 503."""

    def get_tenant(self, domain_model, hostname):
        domain = (
            domain_model.objects.select_related("tenant")
            .extra(select={"schema_present": SCHEMA_PRESENT_SQL})
            .get(domain=hostname)
        )
        tenant = domain.tenant
        if tenant.kind == tenant.Kind.TEMPLATE or not tenant.is_active:
            raise domain_model.DoesNotExist
        tenant.schema_present = domain.schema_present
        return tenant

    def process_request(self, request):
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        if response is None and tenant is not None and not getattr(tenant, "schema_present", 1):
            connection.set_schema_to_public()
            del request.tenant
            return missing_schema_response(request, tenant)
        return response

    def no_tenant_found(self, request, hostname):
        return unknown_host_response(request, hostname)


class TenantTimezoneMiddleware:
    """Show times in the tenant's own timezone, and numbers, money and dates in its locale
    (core.formats), both read from the tenant row the host lookup loaded: no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.timezone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tenant.timezone))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        try:
            if tenant is None:
                return self.get_response(request)
            with locale_override(getattr(tenant, "locale", None)):
                return self.get_response(request)
        finally:
            timezone.deactivate()
