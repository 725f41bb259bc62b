"""Signed values bound to the tenant they were made at.

Every schema numbers its rows from 1, so a value signed at tenant B with a primary key in it
(an email address's id, a user's id) would name a different record at tenant A. Folding the
schema name into the salt makes B's token a forgery at A: ``signing.loads`` refuses it exactly
like a tampered one. Use these helpers (or ``tenant_salt``) for every signed token.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db import connection


def tenant_salt(purpose: str) -> str:
    """``purpose`` made specific to the current tenant's schema."""
    return f"clientele.{connection.schema_name}.{purpose}"


def tenant_dumps(value: Any, *, purpose: str) -> str:
    return signing.dumps(value, salt=tenant_salt(purpose))


def tenant_loads(token: str, *, purpose: str, max_age: int | None = None) -> Any:
    """The signed value, or ``signing.BadSignature`` (expired, tampered or another tenant's)."""
    return signing.loads(token, salt=tenant_salt(purpose), max_age=max_age)
