"""A failed form says each problem once: the error summary lists the form's own errors and
links the fields'; the fields below show theirs, not the form's again."""

from django import forms
from django.template import Context, Template


class ShipmentForm(forms.Form):
    name = forms.CharField()
    weight = forms.IntegerField()

    def clean(self):
        raise forms.ValidationError("Shipments are closed for the holidays.")


PAGE = Template(
    '{% load form_tags %}{% include "components/error_summary.html" %}{{ form|crispy_fields }}'
)


def test_a_form_error_is_shown_once_and_field_errors_by_their_fields():
    form = ShipmentForm({"name": "Crate", "weight": "heavy"})
    assert not form.is_valid()
    html = PAGE.render(Context({"form": form}))
    assert html.count("Shipments are closed for the holidays.") == 1
    assert "There is a problem" in html
    # The weight's error: linked from the summary, and shown at its field.
    assert html.count("Enter a whole number.") == 2
    assert 'href="#id_weight"' in html and 'id="id_weight"' in html and 'id="id_name"' in html
