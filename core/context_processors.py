from django.conf import settings

from .navigation import console_nav_for
from .policies import capabilities_of
from .scope import scope_for


def shell(request) -> dict:
    """What every page of the shell needs: the workspace, navigation and the user's abilities.
    (The portal's own processor adds the customer user's company, ``portal_company``.)"""
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    is_tenant_host = tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
    capabilities = capabilities_of(user) if is_tenant_host else frozenset()
    is_customer_user = is_tenant_host and scope_for(user).is_customer_user
    return {
        "platform_name": settings.PLATFORM_NAME,
        # Account pages (password, 2FA) sit in the portal's layout for customer users.
        "shell_template": "portal/base.html" if is_customer_user else "base.html",
        "workspace": tenant if is_tenant_host else None,
        "console_nav": console_nav_for(user, getattr(request, "urlconf", None))
        if capabilities
        else [],
        "can": {capability.name.lower(): True for capability in capabilities},
    }
