"""Response headers every page gets: nothing a person saw while signed in is kept by a browser
or proxy cache, and the browser features the product never uses stay off."""

from __future__ import annotations

from django.http.multipartparser import MultiPartParserError
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


NUL = "\x00"


def _without_nul(query):
    """A copy of a QueryDict with NUL characters removed from keys and values (PostgreSQL
    cannot store them in text; a search for one would be a server error)."""
    cleaned = query.copy()
    for key in list(cleaned.keys()):
        values = [value.replace(NUL, "") for value in cleaned.getlist(key)]
        del cleaned[key]
        cleaned.setlist(key.replace(NUL, ""), values)
    cleaned._mutable = False
    return cleaned


class TextSafeInputMiddleware:
    """Hostile input stops at the edge: NUL characters are removed from query strings and
    form fields before any view, filter or form sees them (the one place, not per field)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):
            request.GET = _without_nul(request.GET)
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            try:
                post = request.POST
            except MultiPartParserError:
                post = None  # a malformed body: the view answers it (a 400), as before
            if post and any(NUL in k or any(NUL in v for v in post.getlist(k)) for k in post):
                request.POST = _without_nul(post)
        return self.get_response(request)


class BoostedPageMiddleware:
    """A list's results are boosted (``hx-boost`` with ``hx-target="#results"``) so paging and
    sorting swap the table in place. A link or form in them that leads to another page gets a
    whole page back: htmx is told to put it in the body (one request), never inside the list,
    where it would sit nested under the list's own header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if (
            htmx
            and htmx.boosted
            and htmx.target not in (None, "")
            and not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
            and b"<html" in response.content[:400].lower()
        ):
            response["HX-Retarget"] = "body"
            response["HX-Reswap"] = "innerHTML"
        return response
