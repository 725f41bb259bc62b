"""The merge page's forms: picking the other customer, and the side-by-side choice per
differing field with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from core.history import display_value, field_label
from core.widgets import AutocompleteSelect

from .models import Customer
from .services_merge import (
    DUPLICATE,
    MAX_REASON_LENGTH,
    SURVIVOR,
    default_choice,
    differing_fields,
)


class MergePickForm(forms.Form):
    """“Merge with…”: the other record, found by typing its name (the customer picker)."""

    other = forms.IntegerField(
        label="Duplicate customer",
        widget=AutocompleteSelect("customers:customer_autocomplete"),
        help_text="Type part of its name, email, phone or website.",
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["other"].widget
        widget.exclude_id = customer.pk
        widget.label_for = lambda pk: (
            Customer.objects.filter(pk=pk).values_list("name", flat=True).first() or ""
        )


@dataclass(frozen=True)
class FieldRow:
    """One differing field, as the side-by-side shows it."""

    name: str
    label: str
    survivor_value: str
    duplicate_value: str


def field_rows(survivor: Customer, duplicate: Customer) -> list[FieldRow]:
    names = _parent_names(survivor, duplicate)
    return [
        FieldRow(
            name=name,
            label=field_label(Customer, name.removesuffix("_id")),
            survivor_value=display_value(
                Customer, name.removesuffix("_id"), getattr(survivor, name), names
            ),
            duplicate_value=display_value(
                Customer, name.removesuffix("_id"), getattr(duplicate, name), names
            ),
        )
        for name in differing_fields(survivor, duplicate)
    ]


def _parent_names(*customers: Customer) -> dict:
    ids = {c.parent_id for c in customers if c.parent_id}
    return {
        (Customer, pk): name
        for pk, name in Customer.objects.filter(pk__in=ids).values_list("pk", "name")
    }


class MergeForm(forms.Form):
    """A radio per differing field (the survivor's value, or the duplicate's where the
    survivor has none, preselected) and why."""

    reason = forms.CharField(
        max_length=MAX_REASON_LENGTH,
        required=False,
        help_text="Kept in both customers' history.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Same company, added twice"}),
    )
    confirm = forms.BooleanField(
        label="I understand the duplicate is removed and its records move to the survivor.",
    )

    def __init__(self, *args, survivor: Customer, duplicate: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = field_rows(survivor, duplicate)
        for row in self.rows:
            self.fields[f"field_{row.name}"] = forms.ChoiceField(
                label=row.label,
                choices=[(SURVIVOR, row.survivor_value), (DUPLICATE, row.duplicate_value)],
                initial=default_choice(survivor, duplicate, row.name),
                widget=forms.RadioSelect,
                required=False,  # not sent: the default (as preselected)
            )

    def choice_fields(self):
        """(row, bound field) pairs, in the order of the side-by-side."""
        return [(row, self[f"field_{row.name}"]) for row in self.rows]

    def field_choices(self) -> dict[str, str]:
        chosen = {row.name: self.cleaned_data.get(f"field_{row.name}") for row in self.rows}
        return {name: side for name, side in chosen.items() if side}
