"""Demo customer users: admins for a few companies, every role at two of them."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from customers.models import Customer

from .domain_names import is_public_email_domain, normalize_domain
from .models import (
    CompanyDomain,
    CompanyProfile,
    Membership,
    PermissionSet,
    PortalPermission,
    PortalRole,
    PortalSection,
    PortalUsage,
)

# What the demo's customer users open, most used first (feature adoption on the analytics).
DEMO_FEATURES = ["overview", "billing", "tickets", "assets", "locations", "documents", "users"]


def _user(email: str, first: str, last: str, password: str) -> User:
    user = User.objects.create_user(
        email=email, password=password, first_name=first, last_name=last
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@transaction.atomic
def create_demo_portal_users(password: str) -> tuple[str, str]:
    """Returns the emails of one customer admin and of a parent company's admin."""
    if Membership.objects.exists():
        admin = (
            Membership.objects.filter(role=PortalRole.ADMIN, customer__parent__isnull=True)
            .order_by("pk")
            .first()
        )
        parent = (
            Membership.objects.filter(role=PortalRole.ADMIN, customer__subsidiaries__isnull=False)
            .order_by("pk")
            .first()
        )
        return (admin.user.email if admin else "", parent.user.email if parent else "")
    live = Customer.objects.filter(
        deleted_at__isnull=True, is_archived=False, portal_access="active"
    )
    parent = live.filter(subsidiaries__isnull=False).distinct().order_by("pk").first()
    plain = live.filter(parent__isnull=True, subsidiaries__isnull=True).order_by("pk")[:8]
    emails = []
    for customer in [*plain, parent]:
        domain = customer.website_host or f"customer{customer.pk}.example"
        user = _user(f"admin@{domain}", "Casey", "Admin", password)
        Membership.objects.create(user=user, customer=customer, role=PortalRole.ADMIN)
        emails.append(user.email)
    showcase = plain[0]
    domain = showcase.website_host or f"customer{showcase.pk}.example"
    billing_set = PermissionSet.objects.create(
        customer=showcase,
        name="Finance team",
        permissions=[
            PortalPermission.VIEW_OVERVIEW,
            PortalPermission.VIEW_BILLING,
            PortalPermission.VIEW_ASSETS,
        ],
    )
    for role, first, extra in [
        (PortalRole.FULL, "Fran", {}),
        (PortalRole.READ_ONLY, "Reed", {}),
        (PortalRole.LIMITED, "Lim", {"sections": [PortalSection.LOCATIONS, PortalSection.ASSETS]}),
        (PortalRole.CUSTOM, "Cus", {"permission_set": billing_set}),
    ]:
        user = _user(f"{first.lower()}@{domain}", first, role.label, password)
        Membership.objects.create(user=user, customer=showcase, role=role, **extra)
    _verified_domain(showcase, domain)
    _demo_usage(Membership.objects.order_by("pk"))
    return emails[0], emails[-1]


def _demo_usage(memberships, days: int = 90, seed: int = 2026) -> None:
    """Some weeks of portal use per demo user (a few favourite sections each, on some
    days), as the portal pages record it, so feature adoption has figures to show."""
    rng = random.Random(seed)
    today = timezone.localdate()
    rows = []
    for membership in memberships:
        favourites = DEMO_FEATURES[: rng.randint(2, len(DEMO_FEATURES))]
        for offset in range(days):
            if rng.random() > 0.3:
                continue
            for feature in favourites:
                if rng.random() < 0.6:
                    rows.append(
                        PortalUsage(
                            customer_id=membership.customer_id,
                            user_id=membership.user_id,
                            feature=feature,
                            day=today - timedelta(days=offset),
                            uses=rng.randint(1, 6),
                        )
                    )
    PortalUsage.objects.bulk_create(rows)


def _verified_domain(customer: Customer, domain: str) -> None:
    """The showcase company has verified its domain and lets colleagues there ask to join
    (try /portal/join/ with any address at it)."""
    domain = normalize_domain(domain)
    if is_public_email_domain(domain) or CompanyDomain.objects.filter(domain=domain).exists():
        return
    profile, _ = CompanyProfile.objects.get_or_create(customer=customer)
    profile.allow_domain_join = True
    profile.save(update_fields=["allow_domain_join"])
    CompanyDomain.objects.create(
        customer=customer,
        domain=domain,
        token=secrets.token_urlsafe(24),
        method=CompanyDomain.Method.DNS,
        verified_at=timezone.now(),
        verified_how="the demo data",
    )
