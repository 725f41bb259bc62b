"""``{% custom_field_rows record as rows %}`` (a detail page's "Custom fields" card: two
queries, the definitions and the tags) and ``{{ tags|tag_badges }}``."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..values import definitions_for, display

register = template.Library()


@register.simple_tag
def custom_field_rows(record) -> dict:
    values = record.custom_field_data or {}
    rows = [
        (definition.label, display(definition, values.get(definition.key)))
        for definition in definitions_for(record.custom_field_kind)
    ]
    return {"rows": rows, "tags": list(record.tags.all())}


@register.filter
def tag_badges(tags) -> SafeString:
    return format_html_join(
        " ",
        '<span class="badge tag-badge" style="{}">{}</span>',
        ((tag.badge_style, tag.name) for tag in tags),
    )


@register.simple_tag
def tag_badge(tag) -> SafeString:
    return format_html(
        '<span class="badge tag-badge" style="{}">{}</span>', tag.badge_style, tag.name
    )
