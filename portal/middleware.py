import re

from django.contrib.auth import logout
from django.shortcuts import redirect, render

from .policies import portal_access_state

ALWAYS_ALLOWED = ("/accounts/logout/", "/portal/suspended/", "/static/")
# A suspended company can still read and download its invoices (to settle them).
BILLING_PAGES = re.compile(r"^/portal/c/\d+/billing/")


class PortalAccessMiddleware:
    """A company's portal access is enforced on every request: a suspended company's users
    see only the page that explains why (and their billing pages, to settle what is overdue);
    a deactivated (or deleted) one's are signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            state = portal_access_state(user)
            if state == "deactivated":
                logout(request)
                return render(request, "portal/access_deactivated.html", status=403)
            if (
                state == "suspended"
                and not request.path.startswith(ALWAYS_ALLOWED)
                and not BILLING_PAGES.match(request.path)
            ):
                return redirect("portal:suspended")
        return self.get_response(request)
