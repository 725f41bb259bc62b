from django.conf import settings

from accounts.policies import capabilities_of

from .navigation import console_nav_for


def shell(request) -> dict:
    """What every page of the shell needs: the workspace, navigation and the user's abilities."""
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    is_tenant_host = tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
    capabilities = capabilities_of(user) if is_tenant_host else frozenset()
    return {
        "platform_name": settings.PLATFORM_NAME,
        "workspace": tenant if is_tenant_host else None,
        "console_nav": console_nav_for(user, getattr(request, "urlconf", None))
        if capabilities
        else [],
        "can": {capability.name.lower(): True for capability in capabilities},
    }
