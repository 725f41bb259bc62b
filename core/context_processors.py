from django.conf import settings

from accounts.policies import capabilities_of

from .navigation import console_nav_for


def shell(request) -> dict:
    """What every page of the shell needs: the workspace, navigation and the user's abilities."""
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    is_tenant_host = tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
    capabilities = capabilities_of(user) if is_tenant_host else frozenset()
    from accounts.policies import membership_of

    membership = membership_of(user) if is_tenant_host else None
    return {
        "platform_name": settings.PLATFORM_NAME,
        # Account pages (password, 2FA) sit in the portal's layout for customer users.
        "shell_template": "portal/base.html" if membership else "base.html",
        "portal_company": membership.customer if membership else None,
        "workspace": tenant if is_tenant_host else None,
        "console_nav": console_nav_for(user, getattr(request, "urlconf", None))
        if capabilities
        else [],
        "can": {capability.name.lower(): True for capability in capabilities},
    }
