"""Billing settings: the tenant's payment terms, overdue policy and invoice numbering, and
how one customer is billed (its billing profile)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core.services import save_with_history

from ..models import BillingProfile, BillingSettings

# What a settings form may change; the invoice counter only moves when invoices are issued.
BILLING_SETTINGS_FIELDS = frozenset(
    {
        "payment_terms_days",
        "suspend_after_days",
        "tax_rate",
        "invoice_prefix",
        "payment_instructions",
        "commission_basis",
    }
)


@transaction.atomic
def billing_settings_update(
    *,
    settings: BillingSettings,
    data: dict[str, Any],
    fields: Iterable[str],
    actor: User | None,
) -> BillingSettings:
    """Save the tenant's billing settings from ``data``, only the ``fields`` named. The row
    is locked and read afresh, and only those columns are written: issuing invoices moves the
    counter on the same row meanwhile, and a stale counter written back would hand out
    numbers twice. BillingSettings keeps no history, so ``actor`` is not recorded yet."""
    fields = list(fields)
    unknown = set(fields) - BILLING_SETTINGS_FIELDS
    if unknown:
        raise ValidationError(f"These billing settings cannot be changed here: {sorted(unknown)}")
    row = BillingSettings.objects.select_for_update().get(pk=settings.pk)
    for name in fields:
        setattr(row, name, data[name])
    row.full_clean()
    row.save(update_fields=fields)
    return row


@transaction.atomic
def billing_profile_save(*, customer, actor: User | None, **fields: Any) -> BillingProfile:
    profile, _ = BillingProfile.objects.select_for_update().get_or_create(customer=customer)
    for name, value in fields.items():
        setattr(profile, name, value)
    save_with_history(profile, actor=actor, reason="Billing settings changed")
    return profile
