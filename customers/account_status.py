"""A company's account status: one state machine, one service per transition.

    Active ──deactivate──▶ Inactive ──reactivate──▶ Active
    Active ──suspend(reason)──▶ Suspended ──reactivate──▶ Active
    Suspended ──deactivate──▶ Inactive
    Active / Inactive / Suspended ──delete──▶ Deleted (restored by the customer's Restore)

The account status is not the relationship status (``Customer.status``: Active, Inactive,
Prospect, Former), which only describes the customer to staff; pages label them "Account" and
"Relationship". It lives in ``Customer.portal_access`` (``active``, ``suspended``,
``deactivated`` = Inactive) and ``deleted_at`` (Deleted); neither is editable by a form or a
history restore. Apps react to a change in the same transaction (the portal: revokes the
users' API tokens of an Inactive company and emails the company's admins after commit); the
middleware ends a signed-in user's session on their next request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models, transaction

from accounts.models import User
from core.notifications import NotificationKind, notify, staff_with
from core.policies import Capability
from core.services import save_with_history

from .models import Customer, PortalAccess


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    SUSPENDED = "suspended", "Suspended"
    DELETED = "deleted", "Deleted"


ACCOUNT_BADGE_CLASSES = {
    AccountStatus.ACTIVE: "text-bg-success",
    AccountStatus.INACTIVE: "text-bg-secondary",
    AccountStatus.SUSPENDED: "text-bg-warning",
    AccountStatus.DELETED: "text-bg-dark",
}

_FROM_PORTAL_ACCESS = {
    PortalAccess.ACTIVE: AccountStatus.ACTIVE,
    PortalAccess.SUSPENDED: AccountStatus.SUSPENDED,
    PortalAccess.DEACTIVATED: AccountStatus.INACTIVE,
}
_TO_PORTAL_ACCESS = {value: key for key, value in _FROM_PORTAL_ACCESS.items()}

# Which status may follow which. Deleted comes back only through the customer's Restore.
TRANSITIONS: dict[str, frozenset[str]] = {
    AccountStatus.ACTIVE: frozenset(
        {AccountStatus.INACTIVE, AccountStatus.SUSPENDED, AccountStatus.DELETED}
    ),
    AccountStatus.SUSPENDED: frozenset(
        {AccountStatus.ACTIVE, AccountStatus.INACTIVE, AccountStatus.DELETED}
    ),
    AccountStatus.INACTIVE: frozenset({AccountStatus.ACTIVE, AccountStatus.DELETED}),
    AccountStatus.DELETED: frozenset(),
}

# The fields that make up the account status: never restored from history, never edited.
ACCOUNT_STATUS_FIELDS = frozenset({"portal_access", "account_status_reason", "deleted_at"})

# reaction(customer, *, old, new, reason, actor): inside the transition's transaction.
AccountReaction = Callable[..., None]
on_account_status_changed: list[AccountReaction] = []


def register(reaction: AccountReaction) -> None:
    if reaction not in on_account_status_changed:
        on_account_status_changed.append(reaction)


def account_status_of(customer: Customer) -> str:
    if customer.deleted_at is not None:
        return AccountStatus.DELETED
    return _FROM_PORTAL_ACCESS.get(customer.portal_access, AccountStatus.ACTIVE)


def allowed_transitions(customer: Customer) -> frozenset[str]:
    return TRANSITIONS[account_status_of(customer)]


def _refuse(customer: Customer, current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise ValidationError(
            f"{customer.name}'s account is {AccountStatus(current).label.lower()}: it cannot "
            f"become {AccountStatus(target).label.lower()} from there."
        )


def _change(
    *, customer_id: int, target: str, actor: User | None, reason: str, history: str
) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    current = account_status_of(customer)
    _refuse(customer, current, target)
    customer.portal_access = _TO_PORTAL_ACCESS[target]
    customer.account_status_reason = reason
    customer.version += 1
    save_with_history(
        customer,
        actor=actor,
        reason=f"{history}: {reason}"[:100] if reason else history,
        event="customer.updated",
    )
    for reaction in on_account_status_changed:
        reaction(customer, old=current, new=target, reason=reason, actor=actor)
    if target == AccountStatus.SUSPENDED:
        _tell_billing_staff(customer, reason, actor)
    return customer


def _tell_billing_staff(customer: Customer, reason: str, actor: User | None) -> None:
    """Who can lift a suspension hears of it in the app (not who just suspended it)."""
    recipients = staff_with(Capability.MANAGE_BILLING)
    if actor is not None:
        recipients = recipients.exclude(pk=actor.pk)
    notify(
        recipients,
        kind=NotificationKind.COMPANY_SUSPENDED,
        message=f"{customer.name}'s account was suspended: {reason}",
        url=customer.get_absolute_url(),
    )


MAX_REASON = 300


def _clean_reason(reason: str | None) -> str:
    """Kept as written (ends trimmed); too long is refused, never cut."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": f"Keep the reason to {MAX_REASON} characters ({len(reason)} given)."}
        )
    return reason


@transaction.atomic
def account_suspend(*, customer_id: int, reason: str, actor: User | None) -> Customer:
    """Suspended: the company's users see only why, their invoices and the payment page."""
    reason = _clean_reason(reason)
    if not reason:
        raise ValidationError({"reason": "Say why the account is suspended (its users see it)."})
    return _change(
        customer_id=customer_id,
        target=AccountStatus.SUSPENDED,
        actor=actor,
        reason=reason,
        history="Account suspended",
    )


@transaction.atomic
def account_deactivate(*, customer_id: int, actor: User | None, reason: str = "") -> Customer:
    """Inactive: the company's users are signed out and cannot sign in; data is kept."""
    return _change(
        customer_id=customer_id,
        target=AccountStatus.INACTIVE,
        actor=actor,
        reason=_clean_reason(reason),
        history="Account deactivated",
    )


@transaction.atomic
def account_reactivate(*, customer_id: int, actor: User | None, reason: str = "") -> Customer:
    """Active again, from Suspended or Inactive."""
    return _change(
        customer_id=customer_id,
        target=AccountStatus.ACTIVE,
        actor=actor,
        reason=_clean_reason(reason),
        history="Account reactivated",
    )


@transaction.atomic
def account_delete(*, customer_id: int, actor: User | None) -> Customer:
    """Deleted: the customer's soft delete (restorable during the grace period)."""
    from .services import customer_soft_delete

    customer = Customer.objects.select_for_update().get(pk=customer_id)
    current = account_status_of(customer)
    _refuse(customer, current, AccountStatus.DELETED)
    customer = customer_soft_delete(customer_id=customer_id, actor=actor)
    for reaction in on_account_status_changed:
        reaction(customer, old=current, new=AccountStatus.DELETED, reason="", actor=actor)
    return customer


TRANSITION_SERVICES = {
    "suspend": account_suspend,
    "deactivate": account_deactivate,
    "reactivate": account_reactivate,
}
