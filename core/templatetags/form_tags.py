"""``{{ form|crispy_fields }}``: a form as ``|crispy`` renders it, without its non-field errors,
for pages whose error summary (components/error_summary.html) already lists them."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.forms import ModelChoiceField
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter
def crispy_fields(form):
    fields = format_html_join("", "{}", ((as_crispy_field(form[name]),) for name in form.fields))
    return mark_safe(str(form.media)) + fields


DISABLED = mark_safe(" disabled")
OPTIONS_CACHED_MAX = 64
_options_html: dict[tuple, str] = {}


def _options(field) -> str:
    """The ``<option>`` list of a choice field, escaped and joined once for the same choices
    (the same countries in every row of a formset). Choices fixed in code are known by their
    values and the language; records' choices (names can change) by their values and labels."""
    choices = field.choices
    if isinstance(field, ModelChoiceField):
        key = tuple((str(value), str(label)) for value, label in choices)
    else:
        key = (get_language(), *(str(value) for value, _ in choices))
    html = _options_html.get(key)
    if html is None:
        if len(_options_html) >= OPTIONS_CACHED_MAX:
            _options_html.clear()
        html = _options_html[key] = format_html_join(
            "", '<option value="{}">{}</option>', ((value, label) for value, label in choices)
        )
    return html


@register.filter
def select_html(field, css: str = "form-select"):
    """``{{ field|select_html }}``: a bound choice field's ``<select>``, labelled by the field's
    label, its options joined once and reused (a template render per option of a country list
    in every row of a formset cost most of a second a page)."""
    value = field.value()
    chosen = [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]
    options = _options(field.field)
    for item in chosen:
        marker = f'value="{escape(item)}">'
        options = options.replace(marker, f'value="{escape(item)}" selected>', 1)
    return format_html(
        '<select class="{}{}" name="{}" id="{}" aria-label="{}"{}>{}</select>',
        css,
        " is-invalid" if field.errors else "",
        field.html_name,
        field.auto_id,
        field.label,
        DISABLED if field.field.disabled else "",
        mark_safe(options),  # built by format_html_join from escaped parts
    )
