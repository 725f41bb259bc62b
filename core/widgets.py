"""Reusable form widgets: key → value rows and an htmx-backed autocomplete select."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

MAX_KEY_LENGTH = 100
MAX_VALUE_LENGTH = 1000


class KeyValueWidget(forms.Widget):
    template_name = "components/widgets/key_value.html"

    def value_from_datadict(self, data, files, name):
        keys = data.getlist(f"{name}-key") if hasattr(data, "getlist") else []
        values = data.getlist(f"{name}-value") if hasattr(data, "getlist") else []
        if not keys and not values and name in data:
            return data.get(name)
        return list(zip(keys, values, strict=False))

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-key" not in data and name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, dict):
            rows = list(value.items())
        elif isinstance(value, list | tuple):
            rows = [tuple(row) for row in value]
        else:
            rows = []
        context["widget"]["rows"] = rows or [("", "")]
        return context


class KeyValueField(forms.Field):
    """Custom attributes: rows of key and value, cleaned to a dict; blank rows are dropped."""

    widget = KeyValueWidget

    def __init__(self, *args, max_rows: int = 50, **kwargs):
        self.max_rows = max_rows
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def to_python(self, value) -> dict[str, str]:
        if not value:
            return {}
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        if isinstance(value, str):
            raise ValidationError("Enter custom attributes as key and value rows.")
        result: dict[str, str] = {}
        seen: set[str] = set()
        errors = []
        for key, val in value:
            key, val = (key or "").strip(), (val or "").strip()
            if not key and not val:
                continue
            if not key:
                errors.append(f"The value “{val[:40]}” needs a key.")
                continue
            if len(key) > MAX_KEY_LENGTH:
                errors.append(f"Keys can be at most {MAX_KEY_LENGTH} characters.")
                continue
            if len(val) > MAX_VALUE_LENGTH:
                errors.append(f"The value of “{key}” is longer than {MAX_VALUE_LENGTH} characters.")
                continue
            if key.lower() in seen:
                errors.append(f"The key “{key}” is used twice; keys must be unique.")
                continue
            seen.add(key.lower())
            result[key] = val
        if len(result) > self.max_rows:
            errors.append(f"Keep to {self.max_rows} custom attributes or fewer.")
        if errors:
            raise ValidationError(errors)
        return result

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != (initial or {})
        except ValidationError:
            return True


class AutocompleteSelect(forms.Widget):
    """A hidden id plus a search box that asks ``url_name`` for matching options (htmx)."""

    template_name = "components/widgets/autocomplete.html"

    def __init__(self, url_name: str, attrs=None):
        super().__init__(attrs)
        self.url_name = url_name
        self.label_for = None
        self.exclude_id = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = reverse(self.url_name)
        if self.exclude_id:
            url += f"?exclude={self.exclude_id}"
        label = ""
        if str(value or "").isdigit() and self.label_for is not None:
            label = self.label_for(value)  # a posted "abc" is the field's error, not a query
        context["widget"].update(url=url, label=label)
        return context


class FastSelect(forms.Select):
    """A <select> rendered in Python: Django renders every <option> through a template, which
    costs milliseconds for long lists such as countries on every list and form page."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = {
            str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v is not None
        }
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option_value,
                    mark_safe(" selected") if str(option_value) in selected else "",
                    label,
                )
                for option_value, label in self._flat_choices()
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)

    def _flat_choices(self):
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                yield from label
            else:
                yield ("" if option_value is None else option_value), label
