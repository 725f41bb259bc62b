"""URLs on a tenant's host (<slug>.PLATFORM_DOMAIN or a custom domain)."""

from django.urls import include, path, re_path

from core.admin_sites import tenant_admin_site
from core.media import tenant_media

urlpatterns = [
    path("admin/", tenant_admin_site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("config.api_urls")),
    path("customers/", include("customers.urls")),
    path("locations/", include("locations.urls")),
    path("assets/", include("assets.urls")),
    path("documents/", include("documents.urls")),
    path("activity/", include("activity.urls")),
    path("tickets/", include("tickets.urls")),
    path("contracts/", include("contracts.urls")),
    path("imports/", include("imports.urls")),
    path("billing/", include("billing.urls")),
    path("search/", include("search.urls")),
    path("lists/", include("core.urls_lists")),
    path("notifications/", include("core.urls_notifications")),
    path("settings/webhooks/", include("webhooks.urls")),
    path("settings/fields/", include("fields.urls")),
    path("", include("portal.urls")),
    re_path(r"^media/(?P<path>.+)$", tenant_media, name="tenant_media"),
    path("", include("config.console_urls")),
]
