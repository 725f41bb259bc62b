"""Tax on invoices: which rate applies to a customer and the tax of each line.

The rules (stated on every invoice, see ROUNDING_RULE):
- A customer's treatment decides first: exempt and reverse charge carry no tax (the invoice
  says why); standard customers pay the tenant's rate for their billing country, else the
  rate without a country, else (a tenant that never set rates) the old flat rate from the
  billing settings.
- Tax is computed on each line on its own, ``amount × rate / 100``, rounded half up to the
  currency's minor unit (cents; whole yen); the invoice's tax is the sum of its lines' tax.
  So a line's tax never changes with what else is on the invoice.
- Money is Decimal throughout; a float is refused (money.to_money).

``taxed_totals`` is pure given its inputs; ``TaxBook`` loads the inputs for a batch of
invoices in three queries, memoised on the BillingSettings row the caller already holds (one
per invoice-run chunk), so the run's query count does not grow per invoice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import money, pricing
from .models_tax import SellerProfile, TaxRate, TaxTreatment

ROUNDING_RULE = (
    "Tax is calculated on each line and rounded half up to the currency's smallest unit; "
    "the tax total is the sum of the lines' tax."
)
TREATMENT_NOTES = {
    TaxTreatment.EXEMPT: "Exempt from tax.",
    TaxTreatment.REVERSE_CHARGE: "Reverse charge: the customer accounts for the tax (VAT).",
}
# Currencies whose smallest unit is not a hundredth (ISO 4217 minor units).
MINOR_UNIT_DIGITS = {"JPY": 0, "KRW": 0, "ISK": 0}


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNIT_DIGITS.get(currency, 2))


def line_tax(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """One line's tax: amount × rate / 100, half up to the currency's minor unit."""
    if isinstance(amount, float) or isinstance(rate, float):
        raise TypeError("Money is never a float; pass a Decimal or a string.")
    raw = Decimal(amount) * Decimal(rate) / 100
    return raw.quantize(minor_unit(currency), rounding=ROUND_HALF_UP).quantize(money.CENT)


@dataclass(frozen=True)
class Rate:
    name: str
    rate: Decimal
    country: str = ""


@dataclass(frozen=True)
class TaxLine:
    """One line of the invoice's tax summary: ``amount`` of ``name`` at ``rate`` on ``base``."""

    name: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass
class TaxedTotals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    recurring_total: Decimal
    tax_rate: Decimal
    tax_lines: list[TaxLine]
    invoice_fields: dict[str, Any] = field(default_factory=dict)


def rate_for(
    *, treatment: str, country: str, rates: Sequence[Rate], fallback: Decimal = Decimal("0")
) -> Rate | None:
    """The rate a customer pays (None: no tax)."""
    if treatment != TaxTreatment.STANDARD:
        return None
    by_country = {r.country: r for r in rates}
    if country and country in by_country:
        return by_country[country]
    if "" in by_country:
        return by_country[""]
    if not rates and fallback:
        return Rate("Tax", Decimal(fallback))
    return None


def apply_tax(lines: Iterable[dict], rate: Rate | None, currency: str) -> TaxedTotals:
    """Put each line's tax on it (``tax_name``, ``tax_rate``, ``tax_amount``) and total the
    invoice: subtotal, tax (the sum of the lines'), total and the tax summary."""
    lines = list(lines)
    base = pricing.invoice_totals(lines, Decimal("0"))
    for line in lines:
        line["tax_name"] = rate.name if rate else ""
        line["tax_rate"] = rate.rate if rate else Decimal("0")
        line["tax_amount"] = line_tax(line["amount"], rate.rate, currency) if rate else money.ZERO
    tax = money.total(line["tax_amount"] for line in lines)
    return TaxedTotals(
        subtotal=base.subtotal,
        tax=tax,
        total=base.subtotal + tax,
        recurring_total=base.recurring_total,
        tax_rate=rate.rate if rate else Decimal("0"),
        tax_lines=summary(lines),
    )


def summary(lines: Iterable) -> list[TaxLine]:
    """The tax lines of an invoice: per (name, rate), the taxed base and the tax (the sum of
    its lines' rounded tax). Works on line dicts and InvoiceLine rows alike."""
    groups: dict[tuple[str, Decimal], list[Decimal]] = {}
    for line in lines:
        get = line.get if isinstance(line, dict) else lambda name, line=line: getattr(line, name)
        if not get("tax_name"):
            continue
        key = (get("tax_name"), Decimal(get("tax_rate")).normalize())
        base, amount = groups.setdefault(key, [money.ZERO, money.ZERO])
        groups[key] = [base + get("amount"), amount + get("tax_amount")]
    return [TaxLine(name, rate, base, amount) for (name, rate), (base, amount) in groups.items()]


def customer_country(customer) -> str:
    """The country a customer is billed in (the billing address's when one is given)."""
    if customer is None:
        return ""
    if customer.billing_address_line1 or customer.billing_city:
        return customer.billing_country.code or ""
    return customer.country.code or ""


# --- Loading the inputs -----------------------------------------------------------------------


class TaxBook:
    """The tenant's rates, the customers with a tax id or a non-standard treatment, and the
    seller's details, loaded once (three queries)."""

    def __init__(self, fallback_rate: Decimal = Decimal("0")):
        from .models import BillingProfile

        self.fallback = fallback_rate
        self.rates = [
            Rate(r.name, r.rate, r.country.code or "")
            for r in TaxRate.objects.filter(is_active=True)
        ]
        self.customers = {
            customer_id: (tax_id, treatment)
            for customer_id, tax_id, treatment in BillingProfile.objects.exclude(
                tax_id="", tax_treatment=TaxTreatment.STANDARD
            ).values_list("customer_id", "tax_id", "tax_treatment")
        }
        self.seller = seller_snapshot(SellerProfile.current())

    @classmethod
    def for_settings(cls, settings_row) -> TaxBook:
        """One book per BillingSettings instance (an invoice run holds one per chunk)."""
        book = getattr(settings_row, "_tax_book", None)
        if book is None:
            book = cls(settings_row.tax_rate)
            settings_row._tax_book = book
        return book

    def totals(self, lines: list[dict], customer, currency: str) -> TaxedTotals:
        tax_id, treatment = self.customers.get(
            getattr(customer, "pk", None), ("", TaxTreatment.STANDARD)
        )
        rate = rate_for(
            treatment=treatment,
            country=customer_country(customer),
            rates=self.rates,
            fallback=self.fallback,
        )
        totals = apply_tax(lines, rate, currency)
        totals.invoice_fields = {
            "seller": self.seller,
            "customer_tax_id": tax_id,
            "tax_treatment": treatment,
        }
        return totals


def taxed_totals(lines: list[dict], *, customer, settings_row, currency: str) -> TaxedTotals:
    """What services.invoicing calls for each new invoice: its lines taxed, its totals and the
    tax fields to store on it."""
    return TaxBook.for_settings(settings_row).totals(lines, customer, currency)


def seller_snapshot(profile: SellerProfile) -> dict[str, str]:
    """The seller's details as printed on an invoice (kept on the invoice when it is made)."""
    return {
        "legal_name": profile.legal_name,
        "address": profile.address,
        "tax_id": profile.tax_id,
        "email": profile.contact_email,
        "phone": profile.contact_phone,
        "payment_instructions": profile.payment_instructions,
    }
