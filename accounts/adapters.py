from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth import authenticate
from django.shortcuts import render

from core.scope import scope_for


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs themselves up: tenants are provisioned, staff and customer users invited."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def authenticate(self, request, **credentials):
        """allauth lets a deactivated account's right password through to an "account
        inactive" page, which tells a right password from a wrong one. Here it is a failed
        sign-in like any other (same message, same rate limit, same sign-in record)."""
        self.pre_authenticate(request, **credentials)
        AuthenticationBackend.unstash_authenticated_user()
        user = authenticate(request, **credentials)
        AuthenticationBackend.unstash_authenticated_user()  # a deactivated account: dropped
        if user is not None and user.is_active:
            self._rollback_login_failed_rl_usage()
            return user
        self.authentication_failed(request, **credentials)
        return None

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
