"""Writes on accounts that have side effects (emails) live here."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from core.policies import Capability, user_can
from core.scope import forget_scope, scope_for
from core.services import model_update, save_with_history
from core.tasks import defer_after_commit
from core.tokens import password_reset_key

from .models import SecurityPolicy, StaffRole, User


def set_password_url(*, user: User, base_url: str) -> str:
    """A one-time link (allauth's password reset key) that lets ``user`` choose a password.

    It stops working once used (the token hashes the password), after PASSWORD_RESET_TIMEOUT
    and at any other tenant (``core.tokens``: the key's salt names this one).
    """
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": password_reset_key(user),
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
    # The inviter, never the request's user: provisioning from the platform admin runs in the
    # new tenant's schema, where the operator (a public-schema user) does not exist.
    user._history_user = invited_by
    user._change_reason = "Invited"
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    send_set_password_email(
        user=user, base_url=base_url, workspace_name=workspace_name, invited_by=invited_by
    )
    return user


STAFF_FIELDS = ["role", "is_active"]


@transaction.atomic
def staff_update(*, member: User, role: str, is_active: bool, actor: User | None) -> User:
    """Change a team member's role and whether they may sign in.

    Only an active owner manages the team (``actor=None`` is the system); nobody demotes or
    deactivates themselves, and the workspace always keeps an active owner. The active
    owners' rows are locked first, so two owners demoting each other at once cannot leave
    the workspace without one. Nothing is written when nothing changes; otherwise one
    history row names the actor and what changed."""
    if role not in StaffRole.values:
        raise ValidationError({"role": "Choose one of the staff roles."})
    owners = list(
        User.objects.select_for_update()
        .filter(role=StaffRole.OWNER, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if actor is not None and actor.pk not in owners:
        raise PermissionDenied("Only the workspace owner manages the team.")
    member_row = User.objects.select_for_update().exclude(role="").filter(pk=member.pk).first()
    if member_row is None:
        raise ValidationError("This person is not on the team.")
    stays_owner = role == StaffRole.OWNER and is_active
    if actor is not None and member_row.pk == actor.pk and not stays_owner:
        raise ValidationError(
            "You cannot demote or deactivate yourself; ask another owner to do it."
        )
    if owners == [member_row.pk] and not stays_owner:
        raise ValidationError(
            f"{member_row} is the workspace's last active owner: make someone else an owner first."
        )
    member_row, changed = model_update(
        instance=member_row,
        fields=STAFF_FIELDS,
        data={"role": role, "is_active": is_active},
        actor=actor,
        reason=_staff_change_reason(member_row, role, is_active),
    )
    for name in changed:  # the caller's object shows the saved values, and its scope is new
        setattr(member, name, getattr(member_row, name))
    if changed:
        forget_scope(member)
    return member_row


def _staff_change_reason(member: User, role: str, is_active: bool) -> str:
    parts = []
    if member.role != role:
        parts.append(f"Role {member.get_role_display()} → {StaffRole(role).label}")
    if member.is_active != is_active:
        parts.append("Reactivated" if is_active else "Deactivated")
    return "; ".join(parts) or "Unchanged"


def staff_create_with_password(
    *, email: str, password: str, role: str, first_name: str = "", last_name: str = ""
) -> User:
    """A ready-to-use staff account with a verified email (demo data and tests)."""
    user = User.objects.create_user(
        email=email, password=password, role=role, first_name=first_name, last_name=last_name
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


# simple_history keeps at most 100 characters of a change reason.
REASON_LENGTH = 100


def _history_reason(text: str) -> str:
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


@transaction.atomic
def security_policy_update(
    *, require_two_factor_for_staff: bool, actor: User | None, reason: str = ""
) -> SecurityPolicy:
    """The owner's sign-in rules for the workspace's staff. Staff already signed in are asked
    to enrol at their next sign-in; nothing is written when nothing changes."""
    if actor is not None and not user_can(actor, Capability.MANAGE_TENANT):
        raise PermissionDenied("Only the workspace owner changes the security policy.")
    policy = SecurityPolicy.objects.select_for_update().filter(pk=1).first() or SecurityPolicy(pk=1)
    required = bool(require_two_factor_for_staff)
    summary = "Two-factor required for staff" if required else "Two-factor optional for staff"
    policy, _ = model_update(
        instance=policy,
        fields=["require_two_factor_for_staff"],
        data={"require_two_factor_for_staff": required},
        actor=actor,
        reason=_history_reason(f"{summary}: {reason}" if reason else summary),
    )
    return policy


def may_reset_second_factor(actor: User | None, user: User) -> bool:
    """Who may remove ``user``'s second factor: for staff, the workspace owner; for a customer
    user, staff who manage records and the admins of the user's own company. Never yourself
    (your own factors are managed on your two-factor page)."""
    if actor is None:
        return True
    if actor.pk == user.pk:
        return False
    if user.role:
        return user_can(actor, Capability.MANAGE_TENANT)
    target = scope_for(user)
    if not target.is_customer_user:
        return False
    if user_can(actor, Capability.MANAGE_RECORDS):
        return scope_for(actor).reaches_customer(target.company_id)
    own = scope_for(actor)
    return (
        own.is_customer_user
        and own.portal_can("manage_users")
        and target.company_id in (own.company_ids or frozenset())
    )


@transaction.atomic
def second_factor_reset(*, user: User, actor: User | None, reason: str, base_url: str) -> int:
    """Remove every second factor of ``user`` (authenticator app, passkeys and security keys,
    recovery codes) after they lost them: they sign in with their password alone and, where
    two-factor is required, set a new one up right away. The user's history names the actor
    and the reason; the user is emailed once the change commits. Returns how many
    authenticators were removed."""
    from allauth.mfa.models import Authenticator

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why (e.g. “lost phone, confirmed by call”)."})
    if not may_reset_second_factor(actor, user):
        raise PermissionDenied("You may not reset this person's two-factor authentication.")
    row = User.objects.select_for_update().get(pk=user.pk)
    authenticators = Authenticator.objects.filter(user=row)
    removed = authenticators.count()
    if not removed:
        raise ValidationError(f"{row} has no two-factor authentication to reset.")
    authenticators.delete()
    save_with_history(row, actor=actor, reason=_history_reason(f"Two-factor reset: {reason}"))
    context = {"user": row, "actor": actor, "reason": reason, "base_url": base_url.rstrip("/")}
    queue_email(
        subject=render_to_string("accounts/email/second_factor_reset_subject.txt", context).strip(),
        body=render_to_string("accounts/email/second_factor_reset_message.txt", context),
        to=[row.email],
    )
    return removed
