"""Response headers every page gets: nothing a person saw while signed in is kept by a browser
or proxy cache, and the browser features the product never uses stay off."""

from __future__ import annotations

from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)


class PrivacyHeadersMiddleware:
    """``Cache-Control: no-store, private`` on every response to a signed-in person (pages,
    exports, PDFs, API answers); ``Permissions-Policy`` on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
