from django import forms

from .widgets import FastSelect


def style_filter_form(form: forms.Form) -> forms.Form:
    """Bootstrap classes for a filter form's widgets (django-filter builds plain widgets)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if type(widget) is forms.Select:
            widget = field.widget = FastSelect(attrs=widget.attrs, choices=widget.choices)
        css = (
            "form-select form-select-sm"
            if isinstance(widget, forms.Select)
            else "form-control form-control-sm"
        )
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form
