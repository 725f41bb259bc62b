"""Record every sign-in attempt in the schema of the host it was made on."""

from allauth.account import signals as allauth_signals
from allauth.account.models import EmailAddress
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .models import SignInEvent, User


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return request.META.get("REMOTE_ADDR"), request.META.get("HTTP_USER_AGENT", "")[:300]


@receiver(user_logged_in)
def record_successful_sign_in(sender, request, user, **kwargs) -> None:
    ip_address, user_agent = _client(request)
    SignInEvent.objects.create(
        user=user, email=user.email, succeeded=True, ip_address=ip_address, user_agent=user_agent
    )


@receiver(user_login_failed)
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    ip_address, user_agent = _client(request)
    user = User.objects.filter(email__iexact=email).first() if email else None
    SignInEvent.objects.create(
        user=user, email=email, succeeded=False, ip_address=ip_address, user_agent=user_agent
    )


@receiver(allauth_signals.password_reset)
def verify_email_on_password_reset(sender, request, user, **kwargs) -> None:
    """A working reset link proves the person reads that mailbox: mark the login email verified."""
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
