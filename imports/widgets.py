"""Columns and the widgets that turn a cell into a value, each refusing what it cannot read
with a sentence for the user (a ValueError, reported against the cell's column)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django_countries import countries
from import_export import widgets
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException

from core.widgets import KeyValueField


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool = False
    allowed: str = ""
    help: str = ""
    example: str = ""


def _choices(choices) -> str:
    return ", ".join(label for _, label in choices.choices)


def is_hashable(value) -> bool:
    return isinstance(value, str | int | Decimal | datetime.date | PhoneNumber)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
    """A cell as text: numbers typed into a spreadsheet (postal codes, phone numbers) lose
    their ".0"; dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return as_text(value)


class WebsiteWidget(TextWidget):
    """Like the forms: a website typed without a scheme gets https://."""

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if text and not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
            text = f"https://{text}"
        return text


class ImportedPhoneNumber(PhoneNumber):
    """A phone number that checks and formats itself once: a row reads it five times (its
    length and validity checks, the search text and digits, the insert)."""

    def is_valid(self) -> bool:
        valid = self.__dict__.get("_valid")
        if valid is None:
            valid = self.__dict__["_valid"] = super().is_valid()
        return valid

    def format_as(self, format) -> str:
        formats = self.__dict__.setdefault("_formats", {})
        if format not in formats:
            formats[format] = super().format_as(format)
        return formats[format]


class PhoneWidget(widgets.Widget):
    """Parses the number once (the field's own rules then judge it)."""

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return ""
        try:
            return ImportedPhoneNumber.from_string(text)
        except NumberParseException:
            return text  # the field's validator explains what is wrong


class AttributesWidget(widgets.Widget):
    """Custom attributes as ``key: value; key: value`` (as the customer pages list them), under
    the customer form's rules; an empty cell clears them."""

    def clean(self, value, row=None, **kwargs):
        pairs = []
        for part in as_text(value).split(";"):
            if not part.strip():
                continue
            key, separator, text = part.partition(":")
            if not separator:
                raise ValueError(
                    f"“{part.strip()[:40]}” needs a key and a value, as “key: value”; "
                    "separate attributes with semicolons."
                )
            pairs.append((key, text))
        try:
            return KeyValueField().to_python(pairs)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None


class ChoiceWidget(widgets.Widget):
    """Accepts the stored value or its label, in any case; an empty cell keeps the default
    (new rows) or the current value (updates)."""

    def __init__(self, choices):
        super().__init__()
        self.choices = choices
        self.lookup = {}
        for value, label in choices.choices:
            self.lookup[value.lower()] = value
            self.lookup[str(label).lower()] = value
            self.lookup[str(label).lower().replace(" ", "_")] = value

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return None
        found = self.lookup.get(text.lower()) or self.lookup.get(text.lower().replace(" ", "_"))
        if found is None:
            raise ValueError(f"“{text}” is not one of: {_choices(self.choices)}.")
        return found


COUNTRY_LOOKUP: dict[str, str] = {}


def country_code(text: str) -> str:
    if not COUNTRY_LOOKUP:
        for code, name in countries:
            COUNTRY_LOOKUP[code.lower()] = code
            COUNTRY_LOOKUP[str(name).lower()] = code
        for alias, code in {"usa": "US", "uk": "GB", "united states of america": "US"}.items():
            COUNTRY_LOOKUP[alias] = code
    return COUNTRY_LOOKUP.get(text.strip().lower(), "")


class CountryWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return ""
        code = country_code(text)
        if not code:
            raise ValueError(
                f"Unknown country “{text}”: use a two-letter code such as US, GB, DE or the "
                "country's English name."
            )
        return code


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = as_text(value)
        for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(f"“{text}” is not a date; write it as YYYY-MM-DD, e.g. 2025-03-31.")


class MoneyWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        if isinstance(value, int | float | Decimal):
            return Decimal(str(value))
        text = as_text(value).replace(" ", "").replace(",", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}” is not an amount; write it like 1234.50.") from None


class YesNoWidget(widgets.Widget):
    """yes/no, true/false, 1/0 (any case); an empty cell keeps the default or current value."""

    YES, NO = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = as_text(value).lower()
        if not text:
            return None
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"“{as_text(value)}” is not yes or no.")


class CountWidget(widgets.Widget):
    """A whole number of at least zero (days, months)."""

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        text = as_text(value)
        try:
            number = int(Decimal(text))
        except (InvalidOperation, ValueError):
            raise ValueError(f"“{text}” is not a whole number.") from None
        if number < 0 or Decimal(text) != number:
            raise ValueError(f"“{text}” is not a whole number of at least 0.")
        return number
