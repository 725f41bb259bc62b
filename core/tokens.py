"""Signed values bound to the tenant they were made at.

Every schema numbers its rows from 1, so a value signed at tenant B with a primary key in it
(an email address's id, a user's id) would name a different record at tenant A. Folding the
schema name into the salt makes B's token a forgery at A: it is refused exactly like a
tampered one.

Every kind of signed value the product issues is registered here (``TOKEN_KINDS``), and
nothing signs with an unregistered purpose (``tenant_salt`` refuses it).
``tests/security/test_tenant_tokens.py`` mints every registered kind at one tenant and proves
it does nothing at another; it also fails when code outside this module signs anything itself.

- ``allauth.account``: allauth's email confirmation keys (``EmailConfirmationHMAC`` signs the
  address's id with ``ACCOUNT_SALT``, which ``allauth_setting`` makes the tenant's).
- ``password_reset``: password reset keys — allauth's reset email and the set-password links
  of welcome emails, invitations and portal reset links (``password_reset_key``); the one
  generator is also allauth's (``ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR``).
- ``messages``: the flash messages cookie (``TenantMessageStorage``).
- ``portal.join``, ``portal.domain_verify``: the portal's mailed links (``tenant_dumps``).

Not signed, and bound by where they are stored: sessions (each tenant schema has its own
session table; the cookie is host-only), API tokens (each schema its own table), allauth's
login stages, codes and WebAuthn states (in the session).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core import signing
from django.db import connection


@dataclass(frozen=True)
class TokenKind:
    """One kind of signed value: ``purpose`` is what its salt names besides the tenant."""

    purpose: str
    description: str


TOKEN_KINDS: dict[str, TokenKind] = {}


def register_token_kind(purpose: str, description: str) -> TokenKind:
    kind = TokenKind(purpose=purpose, description=description)
    TOKEN_KINDS[purpose] = kind
    return kind


EMAIL_CONFIRMATION = register_token_kind(
    "allauth.account", "Email confirmation keys (allauth signs the email address's id)."
)
PASSWORD_RESET = register_token_kind(
    "password_reset",
    "Password reset keys: allauth's reset email, and set-password links of welcome emails, "
    "invitations and portal reset links.",
)
MESSAGES = register_token_kind("messages", "The flash messages cookie.")
PORTAL_JOIN = register_token_kind(
    "portal.join", "The link that confirms a request to join a company by email domain."
)
PORTAL_DOMAIN_VERIFY = register_token_kind(
    "portal.domain_verify", "The link mailed to a domain's admin address to verify it."
)


def tenant_salt(purpose: str) -> str:
    """``purpose`` made specific to the current tenant's schema. Only registered purposes:
    a new kind of token is registered above, and so gets the cross-tenant test."""
    if purpose not in TOKEN_KINDS:
        raise LookupError(
            f"Token purpose {purpose!r} is not registered: add it to core.tokens.TOKEN_KINDS "
            "(and a scenario to tests/security/test_tenant_tokens.py)."
        )
    return f"clientele.{connection.schema_name}.{purpose}"


def tenant_dumps(value: Any, *, purpose: str) -> str:
    return signing.dumps(value, salt=tenant_salt(purpose))


def tenant_loads(token: str, *, purpose: str, max_age: int | None = None) -> Any:
    """The signed value, or ``signing.BadSignature`` (expired, tampered or another tenant's)."""
    return signing.loads(token, salt=tenant_salt(purpose), max_age=max_age)


# Values that grant nothing, signed only so a hand-edited one is ignored: a deep list page's
# position (keyset pagination's cursor). Read anywhere, it shows a page the reader may already
# open; its rows still come through the reader's scope. Not tenant-bound, not a TOKEN_KIND.
POSITION_SALT = "clientele.position"


def position_dumps(value: Any) -> str:
    return signing.dumps(value, salt=POSITION_SALT, compress=True)


def position_loads(token: str) -> Any:
    """The value, or ``signing.BadSignature``."""
    return signing.loads(token, salt=POSITION_SALT)


# --- Password reset keys ------------------------------------------------------------------


class TenantPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens (one use: they hash the password and last sign-in) with the
    tenant in the key's salt, and, like allauth's generator, the user's email addresses in
    what is hashed (changing one invalidates links sent before)."""

    @property
    def key_salt(self) -> str:  # type: ignore[override]
        return tenant_salt(PASSWORD_RESET.purpose)

    def _make_hash_value(self, user, timestamp) -> str:
        from allauth.account.models import EmailAddress  # not at import: allauth loads us

        emails = {user.email} if user.email else set()
        emails.update(EmailAddress.objects.filter(user_id=user.pk).values_list("email", flat=True))
        return super()._make_hash_value(user, timestamp) + "|".join(sorted(emails))


password_reset_tokens = TenantPasswordResetTokenGenerator()


def password_reset_key(user) -> str:
    """The key of a link that lets ``user`` choose a password (allauth's reset page checks
    it with the same generator)."""
    return password_reset_tokens.make_token(user)


# --- allauth ------------------------------------------------------------------------------


def allauth_setting(name: str, default: Any) -> Any:
    """``ALLAUTH_SETTING_GETTER``: allauth's settings as configured, except its signing salt,
    which is the current tenant's (email confirmation keys are ``signing.dumps(pk,
    salt=ACCOUNT_SALT)``)."""
    if name == "ACCOUNT_SALT":
        return tenant_salt(EMAIL_CONFIRMATION.purpose)
    return getattr(settings, name, default)


# --- Flash messages -----------------------------------------------------------------------


class TenantCookieStorage(CookieStorage):
    """Messages kept in a cookie signed for this tenant: another tenant's is ignored."""

    @property
    def key_salt(self) -> str:  # type: ignore[override]
        return tenant_salt(MESSAGES.purpose)


class TenantMessageStorage(FallbackStorage):
    """``MESSAGE_STORAGE``: Django's default (cookie, then session), the cookie tenant-bound."""

    storage_classes = (TenantCookieStorage, SessionStorage)
