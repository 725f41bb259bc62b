"""URLs on the platform's own host (PLATFORM_DOMAIN): landing page and tenant registry."""

from django.urls import include, path

from core.admin_sites import platform_admin_site
from tenants.views import LandingView

urlpatterns = [
    path("admin/", platform_admin_site.urls),
    path("accounts/", include("allauth.urls")),
    path("", LandingView.as_view(), name="landing"),
]
