"""Writes on accounts that have side effects (emails) live here."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from core.tasks import defer_after_commit

from .models import StaffRole, User


def set_password_url(*, user: User, base_url: str) -> str:
    """A one-time link (allauth's password reset key) that lets ``user`` choose a password.

    It stops working once used (the token hashes the password) and after PASSWORD_RESET_TIMEOUT.
    """
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def send_set_password_email(
    *, user: User, base_url: str, workspace_name: str, invited_by: User | None = None
) -> None:
    """Send the welcome email with a set-password link once the surrounding transaction commits."""
    context = {
        "user": user,
        "workspace_name": workspace_name,
        "invited_by": invited_by,
        "base_url": base_url.rstrip("/"),
    }

    context["set_password_url"] = set_password_url(user=user, base_url=base_url)
    subject = render_to_string("accounts/email/welcome_subject.txt", context).strip()
    body = render_to_string("accounts/email/welcome_message.txt", context)
    queue_email(subject=subject, body=body, to=[user.email])


def queue_email(*, subject: str, body: str, to: list[str]) -> None:
    """Send an email through the task queue once the current transaction commits."""
    from .tasks import send_email

    defer_after_commit(send_email, subject=subject, body=body, to=to)


@transaction.atomic
def staff_invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    base_url: str,
    workspace_name: str,
    invited_by: User | None = None,
) -> User:
    """Create a staff account without a password and email it a link to choose one."""
    if role not in StaffRole.values:
        raise ValueError(f"Unknown staff role {role!r}")
    user = User(email=email, first_name=first_name, last_name=last_name, role=role)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    send_set_password_email(
        user=user, base_url=base_url, workspace_name=workspace_name, invited_by=invited_by
    )
    return user


def staff_create_with_password(
    *, email: str, password: str, role: str, first_name: str = "", last_name: str = ""
) -> User:
    """A ready-to-use staff account with a verified email (demo data and tests)."""
    user = User.objects.create_user(
        email=email, password=password, role=role, first_name=first_name, last_name=last_name
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user
