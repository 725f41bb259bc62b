"""Numbers on invoices, written by money.format_number in the tenant's number format:
``{{ invoice.total|amount:fmt }}``, ``{{ tier.unit_price|unit_price:fmt }}``,
``{{ line.quantity|quantity:fmt }}`` (``fmt`` is the seller profile's number_format)."""

from __future__ import annotations

from django import template

from ..money import format_number

register = template.Library()


@register.filter
def amount(value, style="en"):
    """Money: two decimals, grouped."""
    return format_number(value, style or "en")


@register.filter
def unit_price(value, style="en"):
    """A price per unit to its own precision (a tier's 0.0125), at least two decimals."""
    return format_number(value, style or "en", places=None)


@register.filter
def quantity(value, style="en"):
    """A quantity as measured: 1,500 or 12.5, no padding zeros."""
    return format_number(value, style or "en", places=None, min_places=0)


@register.simple_tag
def number_format():
    """The tenant's number format, for pages whose view does not pass one:
    ``{% number_format as fmt %}``."""
    from ..models_tax import SellerProfile

    profile = SellerProfile.objects.filter(pk=1).only("number_format").first()
    return profile.number_format if profile else "en"
