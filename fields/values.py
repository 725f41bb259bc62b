"""Custom field values: how each type is checked and stored (JSON), read from a spreadsheet
cell and written back to one. Stored forms: text, URL, email and choice as strings, number
as an integer, decimal as a string of its digits (exact), date as YYYY-MM-DD, boolean as
true/false, multiple choice as a list of strings in the definition's order."""

from __future__ import annotations

import datetime
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection

from core.formats import count_text, date_text, qty_text

from .models import CustomField, FieldType

MAX_TEXT = 1000
MAX_DIGITS = 18
EMPTY = (None, "", [])
TRUE_WORDS = {"yes", "true", "1", "y"}
FALSE_WORDS = {"no", "false", "0", "n"}


# A request reads the definitions once per kind, however many filter sets, tables, forms
# and cards ask (fields.apps starts and ends the cache with each request; outside requests,
# e.g. in the worker, every call reads them afresh).
_request_cache: ContextVar[dict | None] = ContextVar("custom_field_definitions", default=None)


def start_request_cache(**kwargs) -> None:
    _request_cache.set({})


def end_request_cache(**kwargs) -> None:
    _request_cache.set(None)


def forget_definitions() -> None:
    """After a definition changed: the rest of the request reads them again."""
    cache = _request_cache.get()
    if cache is not None:
        cache.clear()


def definitions_for(kind: str) -> list[CustomField]:
    cache = _request_cache.get()
    if cache is None:
        return list(CustomField.objects.for_kind(kind))
    key = (getattr(connection, "schema_name", ""), kind)
    if key not in cache:
        cache[key] = list(CustomField.objects.for_kind(kind))
    return cache[key]


def _choice(field: CustomField, value: Any) -> str:
    text = str(value).strip()
    for choice in field.choices:
        if choice.lower() == text.lower():
            return choice
    raise ValidationError(
        f"“{text}” is not one of the choices of {field.label}: {', '.join(field.choices)}."
    )


def to_stored(field: CustomField, value: Any) -> Any:
    """``value`` (from a form, the API or a default) as stored, or ValidationError with a
    message that names the field. Empty gives None (the key is left out)."""
    if value in EMPTY:
        return None
    kind = field.field_type
    label = field.label
    if kind == FieldType.TEXT:
        if not isinstance(value, str):
            raise ValidationError(f"{label} takes text.")
        if len(value) > MAX_TEXT:
            raise ValidationError(f"{label}: at most {MAX_TEXT} characters.")
        return value.strip() or None
    if kind == FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError(f"{label} takes a whole number.")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValidationError(f"{label} takes a whole number.") from None
        if abs(number) >= 10**MAX_DIGITS:
            raise ValidationError(f"{label}: the number is too large.")
        return number
    if kind == FieldType.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValidationError(f"{label} takes a number.")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(f"{label} takes a number, e.g. 12.50.") from None
        if not number.is_finite() or abs(number) >= 10**MAX_DIGITS:
            raise ValidationError(f"{label} takes a number, e.g. 12.50.")
        return format(number.normalize() if number == number.to_integral() else number, "f")
    if kind == FieldType.DATE:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        if not isinstance(value, str):
            raise ValidationError(f"{label} takes a date (YYYY-MM-DD).")
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValidationError(f"{label} takes a date (YYYY-MM-DD).") from None
    if kind == FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(f"{label} takes yes or no.")
    if kind == FieldType.CHOICE:
        if not isinstance(value, str):
            raise ValidationError(f"{label} takes one of: {', '.join(field.choices)}.")
        return _choice(field, value)
    if kind == FieldType.MULTI_CHOICE:
        items = value if isinstance(value, list | tuple) else None
        if items is None:
            raise ValidationError(f"{label} takes a list of choices.")
        chosen = {_choice(field, item) for item in items if item not in EMPTY}
        return [choice for choice in field.choices if choice in chosen] or None
    if kind == FieldType.URL:
        text = str(value).strip() if isinstance(value, str) else None
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise ValidationError(f"{label} takes a web address starting with https://.") from None
        return text
    if kind == FieldType.EMAIL:
        text = str(value).strip() if isinstance(value, str) else None
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(f"{label} takes an email address.") from None
        return text.lower()
    raise ValidationError(f"{label} has an unknown type.")


def clean_record_data(
    kind: str, data: Any, *, new: bool = False, definitions: list[CustomField] | None = None
) -> dict:
    """A record's values checked against the tenant's definitions: unknown keys, wrong
    types, unknown choices, bad addresses and missing required values are refused (every
    problem at once, under ``custom_field_data``). A new record gets the defaults."""
    if not isinstance(data, dict):
        raise ValidationError({"custom_field_data": "Custom fields must be an object."})
    definitions = definitions_for(kind) if definitions is None else definitions
    by_key = {field.key: field for field in definitions}
    errors = [f"There is no custom field “{key}”." for key in data if key not in by_key]
    cleaned: dict = {}
    for key, field in by_key.items():
        value = data.get(key)
        if value in EMPTY and new and key not in data and field.default is not None:
            value = field.default
        try:
            stored = to_stored(field, value)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        if stored is None:
            if field.required:
                errors.append(f"{field.label} is required.")
            continue
        cleaned[key] = stored
    if errors:
        raise ValidationError({"custom_field_data": errors})
    return cleaned


def parse_cell(field: CustomField, text: str) -> Any:
    """A spreadsheet cell (as the export writes it) as a stored value; ValueError if not."""
    text = (text or "").strip()
    if field.field_type == FieldType.MULTI_CHOICE:
        value: Any = [part.strip() for part in text.split(";") if part.strip()]
    else:
        value = text
    try:
        return to_stored(field, value)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


def cell_text(field: CustomField, value: Any) -> str:
    """A stored value as an export cell (read back unchanged by ``parse_cell``)."""
    if value in EMPTY:
        return ""
    if field.field_type == FieldType.BOOLEAN:
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def display(field: CustomField, value: Any) -> str:
    """A stored value for people (detail pages, list cells)."""
    if value in EMPTY:
        return ""
    if field.field_type == FieldType.BOOLEAN:
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    # Numbers and dates as the workspace's locale writes them (core.formats).
    try:
        if field.field_type == FieldType.DATE:
            return date_text(datetime.date.fromisoformat(str(value)))
        if field.field_type == FieldType.NUMBER:
            return count_text(value)
        if field.field_type == FieldType.DECIMAL:
            return qty_text(value)
    except (ValueError, ArithmeticError):
        pass  # a value stored before its field's type changed: shown as it is
    return str(value)
