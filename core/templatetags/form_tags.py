"""``{{ form|crispy_fields }}``: a form as ``|crispy`` renders it, without its non-field errors,
for pages whose error summary (components/error_summary.html) already lists them."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def crispy_fields(form):
    fields = format_html_join("", "{}", ((as_crispy_field(form[name]),) for name in form.fields))
    return mark_safe(str(form.media)) + fields
