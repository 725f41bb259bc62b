"""Each type's rules: what is accepted, how it is stored, and the message for what is not."""

import pytest
from django.core.exceptions import ValidationError

from fields.models import CustomField
from fields.values import cell_text, clean_record_data, parse_cell, to_stored


def field(field_type: str, **extra) -> CustomField:
    return CustomField(key="f", label="Contract tier", field_type=field_type, **extra)


@pytest.mark.parametrize(
    ("field_type", "given", "stored"),
    [
        ("text", " Gold ", "Gold"),
        ("integer", "42", 42),
        ("integer", 7, 7),
        ("decimal", "12.50", "12.50"),
        ("decimal", 3, "3"),
        ("date", "2025-03-31", "2025-03-31"),
        ("boolean", "yes", True),
        ("boolean", False, False),
        ("url", "https://example.com/x", "https://example.com/x"),
        ("email", "Ann@Example.com", "ann@example.com"),
    ],
)
def test_values_are_stored_in_one_form_per_type(field_type, given, stored):
    assert to_stored(field(field_type), given) == stored


def test_choices_match_in_any_case_and_keep_the_definitions_spelling_and_order():
    tier = field("multi_choice", choices=["Gold", "Silver", "Bronze"])
    assert to_stored(tier, ["bronze", "GOLD"]) == ["Gold", "Bronze"]
    assert to_stored(field("choice", choices=["Gold"]), "gold") == "Gold"


@pytest.mark.parametrize(
    ("field_type", "given", "message"),
    [
        ("integer", "4.5", "Contract tier takes a whole number."),
        ("integer", True, "Contract tier takes a whole number."),
        ("decimal", "abc", "Contract tier takes a number, e.g. 12.50."),
        ("date", "31/03/2025", "Contract tier takes a date (YYYY-MM-DD)."),
        ("boolean", "maybe", "Contract tier takes yes or no."),
        ("url", "javascript:alert(1)", "Contract tier takes a web address starting with https://."),
        ("email", "not-an-address", "Contract tier takes an email address."),
        ("text", 5, "Contract tier takes text."),
    ],
)
def test_wrong_types_are_refused_with_a_message_naming_the_field(field_type, given, message):
    with pytest.raises(ValidationError) as caught:
        to_stored(field(field_type), given)
    assert caught.value.messages == [message]


def test_an_unknown_choice_names_the_allowed_ones():
    with pytest.raises(ValidationError) as caught:
        to_stored(field("choice", choices=["Gold", "Silver"]), "Platinum")
    assert caught.value.messages == [
        "“Platinum” is not one of the choices of Contract tier: Gold, Silver."
    ]


def test_a_record_is_checked_whole_unknown_keys_and_missing_required_values_included():
    definitions = [
        field("choice", choices=["Gold"], required=True),
        CustomField(key="seats", label="Seats", field_type="integer"),
    ]
    with pytest.raises(ValidationError) as caught:
        clean_record_data("customer", {"seats": "x", "colour": "red"}, definitions=definitions)
    assert sorted(caught.value.message_dict["custom_field_data"]) == [
        "Contract tier is required.",
        "Seats takes a whole number.",
        "There is no custom field “colour”.",
    ]


def test_a_new_record_gets_the_defaults_an_existing_one_keeps_its_empty_value():
    definitions = [CustomField(key="f", label="Tier", field_type="text", default="Gold")]
    assert clean_record_data("customer", {}, new=True, definitions=definitions) == {"f": "Gold"}
    assert clean_record_data("customer", {}, new=False, definitions=definitions) == {}


@pytest.mark.parametrize(
    ("field_type", "stored"),
    [
        ("boolean", True),
        ("boolean", False),
        ("multi_choice", ["Gold", "Silver"]),
        ("date", "2024-02-29"),
        ("decimal", "0.10"),
        ("integer", -3),
    ],
)
def test_an_export_cell_reads_back_as_the_same_value(field_type, stored):
    definition = field(field_type, choices=["Gold", "Silver"] if "choice" in field_type else [])
    assert parse_cell(definition, cell_text(definition, stored)) == stored
