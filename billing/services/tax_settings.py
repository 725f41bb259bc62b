"""Writes of the seller profile and the tax rates: locked, validated, with history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core.services import save_with_history

from ..forms_tax import SELLER_FIELDS, TAX_RATE_FIELDS
from ..models_tax import SellerProfile, TaxRate


@transaction.atomic
def seller_profile_update(
    *, data: dict[str, Any], fields: Iterable[str], actor: User | None
) -> SellerProfile:
    fields = list(fields)
    unknown = set(fields) - set(SELLER_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {sorted(unknown)}")
    SellerProfile.objects.get_or_create(pk=1)
    profile = SellerProfile.objects.select_for_update().get(pk=1)
    for name in fields:
        setattr(profile, name, data[name])
    save_with_history(profile, actor=actor, reason="Seller profile changed")
    return profile


@transaction.atomic
def tax_rates_save(*, rows: list[tuple[TaxRate, dict[str, Any]]], actor: User | None) -> int:
    """Create or change tax rates (each row: an instance, new or existing, and its cleaned
    values). All or nothing: one invalid row (a rate outside 0–100 %, a second rate in use
    for a country) and none is saved. Rates are never deleted (invoices name them); a rate
    no longer in use is switched off."""
    changed = 0
    # One writer at a time: the seller profile's row is the tenant's lock for tax settings.
    SellerProfile.objects.get_or_create(pk=1)
    SellerProfile.objects.select_for_update().get(pk=1)
    for rate, values in rows:
        for name in TAX_RATE_FIELDS:
            setattr(rate, name, values[name])
        # Full clean (0–100 %, one rate in use per country) before anything is written.
        rate.full_clean()
        save_with_history(rate, actor=actor, reason="Tax rate saved")
        changed += 1
    return changed
