"""Two admin sites, so the tenant registry can never show up inside a tenant's /admin/."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.policies import Capability, user_can


class SignInThroughAllauthMixin:
    """Send admin sign-ins through allauth, so rate limits, MFA and sign-in records apply."""

    def admin_view(self, view, cacheable=False):
        """Signed in without the right role: a plain 403 instead of the admin's sign-in form."""
        wrapped = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("Only the workspace owner can use the administration site.")
            return wrapped(request, *args, **kwargs)

        return update_wrapper(guarded, view)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise PermissionDenied("Only the workspace owner can use the administration site.")
        return redirect_to_login(
            request.GET.get("next", reverse(f"{self.name}:index")), reverse("account_login")
        )


class PlatformAdminSite(SignInThroughAllauthMixin, admin.AdminSite):
    site_header = "Clientele platform administration"
    site_title = "Clientele platform"
    index_title = "Tenant registry and platform operators"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.is_superuser


class TenantAdminSite(SignInThroughAllauthMixin, admin.AdminSite):
    site_header = "Workspace administration"
    site_title = "Workspace administration"
    index_title = "Records of this workspace"

    def has_permission(self, request) -> bool:
        return user_can(request.user, Capability.USE_TENANT_ADMIN)

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = f"{tenant.name} — administration"
        return context


platform_admin_site = PlatformAdminSite(name="platform_admin")
tenant_admin_site = TenantAdminSite(name="tenant_admin")
