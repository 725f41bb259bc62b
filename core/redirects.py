"""Where to send someone back to after a POST: a path of this site they asked for, else a
fallback. One helper so no view redirects to an address given in a form."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def local_path(request, wanted: str, fallback: str) -> str:
    """``wanted`` when it is an absolute path on this site (``/…``, not ``//host``), else
    ``fallback``. Anything else, a bare word, a date or another host, is ignored."""
    if (
        wanted
        and wanted.startswith("/")
        and not wanted.startswith("//")
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
    ):
        return wanted
    return fallback


def redirect_back(request, fallback: str) -> HttpResponseRedirect:
    """Redirect to the ``next`` the form or query names (a path of this site) or ``fallback``."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    return HttpResponseRedirect(local_path(request, wanted, fallback))
