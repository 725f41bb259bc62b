from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.shortcuts import render

from core.scope import scope_for


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs themselves up: tenants are provisioned, staff and customer users invited."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL

    def pre_login(self, request, user, **kwargs):
        """A deactivated (or deleted) company's users cannot sign in at all."""
        if scope_for(user).portal_access == "deactivated":
            return render(request, "portal/access_deactivated.html", status=403)
        return super().pre_login(request, user, **kwargs)

    def get_login_redirect_url(self, request) -> str:
        if scope_for(request.user).is_customer_user:
            return "/portal/"
        return super().get_login_redirect_url(request)
