"""THE way numbers, money and dates are written, from the tenant's locale (``Tenant.locale``).

The locale is activated once per request with the tenant (tenants.middleware, no query of its
own), for each tenant task in the worker (core.tasks reads it with the tenant it looks up) and
in management commands that walk tenants (billing's run_invoices). Activating it activates a Django language whose format module lives in
core/locale_formats/ (FORMAT_MODULE_PATH), so Django's own ``localize``, ``|date`` and
``|floatformat`` follow it. The interface stays English whatever the locale: a de-DE workspace
activates "en-de" (English words, German numbers and dates), never Django's German catalogue.

Two ways to write, never mixed:

* for people (pages, PDFs, emails): ``money_text``, ``amount_text``, ``count_text``,
  ``qty_text``, ``unit_price_text``, ``date_text`` (and their template filters in
  core/templatetags/formats.py): grouped thousands, the locale's decimal mark, the currency
  where the locale puts it, joined by no-break spaces so a figure never wraps;
* for machines (CSV exports): ``csv_decimal`` and ``csv_date``: a plain decimal point, no
  grouping, ISO 8601 dates, whatever the locale.

Money is Decimal end to end: floats are refused."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import dateformat, translation
from django.utils.formats import get_format

NBSP = "\u00a0"
MINUS = "\u2212"  # a real minus sign: as wide as a digit, and no line break after it


@dataclass(frozen=True)
class Locale:
    code: str  # what the tenant row stores (BCP 47)
    label: str
    language: str  # the Django language activated for it (format module core/locale_formats/)
    currency_first: bool  # "$1,234.56" / "CHF 1’234.56" rather than "1.234,56 €"


LOCALES: dict[str, Locale] = {
    locale.code: locale
    for locale in (
        Locale("en-US", "English (US): 1,234,567.89 · $5.00 · Dec 1, 2026", "en-us", True),
        Locale("de-DE", "German (Germany): 1.234.567,89 · 5,00 € · 01.12.2026", "en-de", False),
        Locale("fr-FR", "French (France): 1 234 567,89 · 5,00 € · 01/12/2026", "en-fr", False),
        Locale("de-CH", "Swiss: 1’234’567.89 · CHF 5.00 · 01.12.2026", "en-ch", True),
    )
}
DEFAULT_LOCALE = "en-US"
LOCALE_CHOICES = [(locale.code, locale.label) for locale in LOCALES.values()]
_BY_LANGUAGE = {locale.language: locale for locale in LOCALES.values()}

# Where a currency has a symbol its readers know; the others are written with their ISO code.
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
# ISO 4217 minor units where they are not 2 (the currencies Tenant.currency offers).
MINOR_UNITS = {"JPY": 0}


def locale_for(code: str | None) -> Locale:
    return LOCALES.get(code or "", LOCALES[DEFAULT_LOCALE])


def current_locale() -> Locale:
    """The locale active now (the default when none was activated)."""
    return _BY_LANGUAGE.get(translation.get_language() or "", LOCALES[DEFAULT_LOCALE])


@contextlib.contextmanager
def locale_override(code: str | None) -> Iterator[Locale]:
    """Write numbers and dates the way ``code`` does inside the block (then as before)."""
    locale = locale_for(code)
    with translation.override(locale.language):
        yield locale


# --- For people ------------------------------------------------------------------------------


def _decimal(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Money is never a float; pass a Decimal, an int or a string.")
    try:
        return value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValueError(f"{value!r} is not a number.") from error


def _grouped(number: Decimal, *, minus: str) -> str:
    """``number`` (already rounded) in the active locale's separators."""
    if number == 0:
        number = abs(number)  # never "-0.00"
    sign = minus if number < 0 else ""
    whole, _, decimals = f"{abs(number):f}".partition(".")
    group = get_format("THOUSAND_SEPARATOR")
    head = len(whole) % 3 or 3
    grouped = group.join([whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))])
    return sign + grouped + (get_format("DECIMAL_SEPARATOR") + decimals if decimals else "")


def _rounded(value, places: int | None, min_places: int) -> Decimal:
    number = _decimal(value)
    if places is not None:
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    number = number.normalize()
    if -number.as_tuple().exponent < min_places:
        number = number.quantize(Decimal(1).scaleb(-min_places))
    return number


def amount_text(value, places: int = 2) -> str:
    """A sum of money without its currency (where a column header names it): "1,234.50"."""
    if value is None or value == "":
        return ""
    return _grouped(_rounded(value, places, places), minus=MINUS)


def money_text(value, currency: str = "") -> str:
    """A sum of money with its currency where the locale puts it: "$1,234.50", "−$5.00",
    "1.234,50 €", "CHF 1’234.50", "¥1,235"; no-break spaces only, so it never wraps. A
    currency without minor units (JPY) drops them unless the amount has a fraction."""
    if value is None or value == "":
        return ""
    number = _decimal(value)
    places = MINOR_UNITS.get(currency, 2)
    if places < 2 and number != number.quantize(Decimal(1).scaleb(-places)):
        places = 2  # never hide part of an amount
    rounded = _rounded(number, places, places)
    figure = _grouped(abs(rounded), minus="")
    sign = MINUS if rounded < 0 else ""
    if not currency:
        return sign + figure
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    if current_locale().currency_first:
        joiner = "" if currency in CURRENCY_SYMBOLS else NBSP
        return f"{sign}{symbol}{joiner}{figure}"
    return f"{sign}{figure}{NBSP}{symbol}"


def count_text(value) -> str:
    """A count: "5,288" / "5.288"."""
    if value is None or value == "":
        return ""
    return _grouped(_rounded(value, 0, 0), minus=MINUS)


def qty_text(value, places: int | None = None) -> str:
    """A quantity as measured, to its own precision (a tier's 1,500 or 12.5, no padding
    zeros), or rounded to ``places``."""
    if value is None or value == "":
        return ""
    return _grouped(_rounded(value, places, 0), minus=MINUS)


def unit_price_text(value) -> str:
    """A price per unit to its own precision, at least two decimals: 0.0125, 2.00."""
    if value is None or value == "":
        return ""
    return _grouped(_rounded(value, None, 2), minus=MINUS)


def percent_text(value, places: int | None = None) -> str:
    """A rate in percent, as given or rounded to ``places``: "19%" in en-US, "19 %" (a
    no-break space) in de-DE."""
    if value is None or value == "":
        return ""
    space = "" if current_locale().currency_first else NBSP
    return f"{qty_text(value, places)}{space}%"


def date_text(value: date | datetime | None, format_name: str = "DATE_FORMAT") -> str:
    """A day in the locale's format ("Dec 1, 2026", "01.12.2026"); a datetime is shown in
    the active timezone. ``format_name``: DATE_FORMAT, SHORT_DATE_FORMAT, DATETIME_FORMAT,
    YEAR_MONTH_FORMAT, MONTH_DAY_FORMAT."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
    return dateformat.format(value, get_format(format_name))


# --- For machines (CSV) ----------------------------------------------------------------------


def csv_decimal(value, places: int | None = 2) -> str:
    """A number for a CSV cell: plain decimal point, no grouping, "-" for negatives."""
    if value is None or value == "":
        return ""
    number = _rounded(value, places, 0)
    if number == 0:
        number = abs(number)
    return f"{number:f}"


def csv_date(value: date | datetime | None) -> str:
    """A date (or moment, in UTC offset form) for a CSV cell: ISO 8601."""
    if value is None or value == "":
        return ""
    return value.isoformat()
