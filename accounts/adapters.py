from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs themselves up: tenants are provisioned, staff and customer users invited."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL
