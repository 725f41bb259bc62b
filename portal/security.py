"""A company's sign-in rules: its admins require two-factor authentication for its users, and
what accounts needs to know about a customer user (the company that requires a second factor,
the company names a password must not be built from). Registered with accounts from
``PortalConfig.ready()``; accounts imports nothing of the portal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from core.policies import Capability, user_can
from core.scope import scope_for
from core.services import model_update
from customers.models import Customer

from .models import CompanyProfile, PortalPermission
from .policies import membership_of


def company_names(user) -> list[str]:
    """The names of a customer user's companies (their own and its sub-accounts)."""
    scope = scope_for(user)
    if not scope.is_customer_user or not scope.company_ids:
        return []
    return list(Customer.objects.filter(pk__in=scope.company_ids).values_list("name", flat=True))


def company_two_factor_requirement(user) -> str | None:
    """Who requires a second factor of a customer user: their own company, when its admins
    ticked "require two-factor authentication for our users"."""
    membership = membership_of(user)
    if membership is None:
        return None
    required = CompanyProfile.objects.filter(
        customer_id=membership.customer_id, require_two_factor=True
    ).exists()
    if not required:
        return None
    return f"{membership.customer.name} requires two-factor authentication for its users."


def users_without_second_factor(company: Customer) -> int:
    """How many of the company's active users have no second factor (an authenticator app
    or a passkey) yet: those a requirement sends to set one up at their next sign-in."""
    from allauth.mfa.models import Authenticator
    from django.db.models import Exists, OuterRef

    from accounts.mfa_policy import FACTOR_TYPES

    has_factor = Authenticator.objects.filter(user=OuterRef("pk"), type__in=FACTOR_TYPES)
    return (
        User.objects.filter(membership__customer=company, is_active=True)
        .exclude(Exists(has_factor))
        .count()
    )


def may_set_company_two_factor(actor, company: Customer) -> bool:
    """A customer admin of the company (or of its parent), or staff who manage records."""
    scope = scope_for(actor)
    if not scope.reaches_customer(company.pk):
        return False
    if scope.is_staff:
        return user_can(actor, Capability.MANAGE_RECORDS)
    return scope.portal_can(PortalPermission.MANAGE_USERS)


@transaction.atomic
def company_two_factor_set(
    *, company: Customer, required: bool, actor: User | None, reason: str = ""
) -> CompanyProfile:
    """Require (or stop requiring) two-factor authentication for the company's users. Users
    without a second factor set one up at their next sign-in. One history row on the
    company's portal profile names the actor; nothing is written when nothing changes."""
    if actor is not None and not may_set_company_two_factor(actor, company):
        raise PermissionDenied("Only the company's admins decide who needs two-factor sign-in.")
    row = CompanyProfile.objects.select_for_update().filter(customer=company).first()
    summary = "Two-factor required for users" if required else "Two-factor optional for users"
    row, _ = model_update(
        instance=row or CompanyProfile(customer=company),
        fields=["require_two_factor"],
        data={"require_two_factor": bool(required)},
        actor=actor,
        reason=f"{summary}: {reason}"[:100] if reason else summary,
    )
    return row
