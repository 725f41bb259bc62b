import zoneinfo

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django_tenants.middleware.main import TenantMainMiddleware

from .services import base_url_for


def unknown_host_response(request, hostname: str):
    """A styled 404 for hosts that name no (active) tenant; rendered directly, so DEBUG or not."""
    return render(
        request,
        "errors/unknown_host.html",
        {"hostname": hostname, "platform_url": base_url_for(settings.PLATFORM_DOMAIN)},
        status=404,
    )


class TenantHostMiddleware(TenantMainMiddleware):
    """Routes a host to its tenant's schema; unknown, template and deactivated tenants get a 404."""

    def get_tenant(self, domain_model, hostname):
        tenant = super().get_tenant(domain_model, hostname)
        if tenant.kind == tenant.Kind.TEMPLATE or not tenant.is_active:
            raise domain_model.DoesNotExist
        return tenant

    def no_tenant_found(self, request, hostname):
        return unknown_host_response(request, hostname)


class TenantTimezoneMiddleware:
    """Show times in the tenant's own timezone."""

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
            return self.get_response(request)
        finally:
            timezone.deactivate()
