from django.contrib.auth import logout
from django.shortcuts import redirect, render

from accounts.policies import portal_access_state

ALWAYS_ALLOWED = ("/accounts/logout/", "/portal/suspended/", "/static/")


class PortalAccessMiddleware:
    """A company's portal access is enforced on every request: a suspended company's users
    see only the page that explains why; a deactivated (or deleted) one's are signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            state = portal_access_state(user)
            if state == "deactivated":
                logout(request)
                return render(request, "portal/access_deactivated.html", status=403)
            if state == "suspended" and not request.path.startswith(ALWAYS_ALLOWED):
                return redirect("portal:suspended")
        return self.get_response(request)
