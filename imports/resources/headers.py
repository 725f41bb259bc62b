"""How a file's column names map to a kind's columns: the field name, its label or the
model's verbose name, in any case and punctuation."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist

from ..engine import ImportResource
from ..widgets import Column, as_text


def normalise_header(text) -> str:
    text = as_text(text).replace("\ufeff", "").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def header_aliases(resource_class: type[ImportResource]) -> dict[str, str]:
    """Column names the file may use: the field name, its label, the model's verbose name (as
    the list's export writes it)."""
    model_meta = resource_class._meta.model._meta
    aliases: dict[str, str] = {}
    for column in resource_class.columns:
        names = [column.name, column.label]
        with contextlib.suppress(FieldDoesNotExist):  # e.g. location_customer
            names.append(str(model_meta.get_field(column.name).verbose_name))
        for name in names:
            aliases.setdefault(normalise_header(name), column.name)
    return aliases


@dataclass
class HeaderMap:
    columns: list[str | None]  # per file column: the resource column it feeds, or None
    ignored: list[str]
    missing: list[Column]
    duplicated: list[str]


def map_headers(resource_class: type[ImportResource], headers: list) -> HeaderMap:
    aliases = header_aliases(resource_class)
    columns: list[str | None] = []
    ignored, duplicated, seen = [], [], set()
    for header in headers:
        name = aliases.get(normalise_header(header))
        if name is None:
            if as_text(header):
                ignored.append(as_text(header))
            columns.append(None)
        elif name in seen:
            duplicated.append(as_text(header))
            columns.append(None)
        else:
            seen.add(name)
            columns.append(name)
    missing = [column for column in resource_class.required_columns() if column.name not in seen]
    return HeaderMap(columns, ignored, missing, duplicated)
