"""Billing's figures (a company's engagement, the dashboard's sign-ins and active portal
users) and its demo count the portal's users of a company. The portal sits above billing, so
it registers how to read them (PortalConfig.ready → register_company_users); billing imports
nothing of it. Without a portal, companies have no users."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from accounts.models import User


class CompanyUsers(Protocol):
    def counts(self, customer_id: int, *, active_since: datetime) -> dict[str, int]:
        """One company's active users (``total``) and those signed in since (``active``)."""

    def user_ids(self, customers: Collection[int] | None):
        """The users of these companies (of every company when ``None``): a ``user_id``
        subquery."""

    def active_count(self, customers: Collection[int] | None, *, active_since: datetime) -> int:
        """Active users of these companies (every company when ``None``) signed in since."""

    def per_company(self) -> dict[int, int]:
        """How many users each company has."""

    def admin_emails(self) -> dict[int, str]:
        """Each company's first admin's email, companies in the order their admins joined."""


class NoCompanyUsers:
    def counts(self, customer_id: int, *, active_since: datetime) -> dict[str, int]:
        return {"total": 0, "active": 0}

    def user_ids(self, customers: Collection[int] | None):
        return User.objects.none().values("pk")

    def active_count(self, customers: Collection[int] | None, *, active_since: datetime) -> int:
        return 0

    def per_company(self) -> dict[int, int]:
        return {}

    def admin_emails(self) -> dict[int, str]:
        return {}


_registered: list[CompanyUsers] = []


def register_company_users(provider: CompanyUsers) -> None:
    _registered[:] = [provider]


def company_users() -> CompanyUsers:
    return _registered[0] if _registered else NoCompanyUsers()
