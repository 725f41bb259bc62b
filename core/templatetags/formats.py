"""Numbers, money and dates in the tenant's locale (core.formats), for every template:
``{% load formats %}`` then

* ``{{ invoice.total|money:invoice.currency }}``: "$1,234.50" / "1.234,50 €", never wrapped
  inside (in HTML a ``<span class="money text-nowrap">``; in text emails, which render with
  autoescape off, the plain text with no-break spaces);
* ``{{ value|amount }}``: money without its currency (a column whose header names it);
* ``{{ n|count }}``: "5,288" / "5.288"; ``{{ n|count_label:"invoice" }}``: "1 invoice",
  "5,288 invoices" (``count_label:"company,companies"`` for irregular plurals);
* ``{{ line.quantity|qty }}``: a quantity to its own precision (``qty:1`` rounds);
* ``{{ tier.unit_price|unit_price }}``, ``{{ rate|percent }}``;
* dates: Django's own ``{{ day|date }}`` (DATE_FORMAT) or ``|date:"SHORT_DATE_FORMAT"``,
  ``|date:"YEAR_MONTH_FORMAT"``: core/locale_formats/ defines them per locale."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import format_html

from core import formats

register = template.Library()


@register.filter(needs_autoescape=True)
def money(value, currency="", autoescape=True):
    text = formats.money_text(value, currency or "")
    if not autoescape or not text:
        return text
    return format_html('<span class="money text-nowrap">{}</span>', text)


@register.filter
def amount(value, places=2):
    return formats.amount_text(value, int(places))


@register.filter
def count(value):
    return formats.count_text(value)


@register.filter
def count_label(value, noun):
    """ "1 invoice", "2 invoices", "1,000 companies" (``noun`` "company,companies")."""
    singular, _, plural = str(noun).partition(",")
    number = int(value or 0)
    if plural:
        return f"{formats.count_text(number)} {singular if number == 1 else plural}"
    return f"{formats.count_text(number)} {singular}{pluralize(number)}"


@register.filter
def qty(value, places=None):
    return formats.qty_text(value, None if places in (None, "") else int(places))


@register.filter
def unit_price(value):
    return formats.unit_price_text(value)


@register.filter
def negate(value):
    """The amount taken off: ``{{ note.total|negate|amount }}`` is "−50.00"."""
    return None if value in (None, "") else -formats._decimal(value)


@register.filter
def percent(value, places=None):
    return formats.percent_text(value, None if places in (None, "") else int(places))


@register.filter
def duration_short(value) -> str:
    """A timedelta as its two largest units: "2 d 3 h", "3 h 20 min", "12 min", "< 1 min"."""
    if value is None:
        return ""
    if 0 < value.total_seconds() < 60:
        return "< 1 min"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


@register.filter
def minutes_as_hours(value) -> str:
    """Logged minutes as hours and minutes: "1 h 30 min", "45 min", "12 h"."""
    if value in (None, ""):
        return ""
    hours, minutes = divmod(int(value), 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"
