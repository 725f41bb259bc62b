"""The API's ``custom_fields`` object and ``tags`` list on customers, contacts, locations and
assets. Writing ``custom_fields`` changes only the keys given (null clears one); values are
checked like the forms' (wrong type, unknown choice or key, bad URL or email, a required
field left empty: a 400 naming the field, nothing written). ``tags`` are slugs and replace
the record's tags."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Tag
from .values import clean_record_data, definitions_for

CUSTOM_FIELDS_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "integer"},
            {"type": "boolean"},
            {"type": "array", "items": {"type": "string"}},
        ],
        "nullable": True,
    },
    "description": "The tenant's custom fields by key (see /settings/fields/): text, URL, "
    "email, choice, decimal (as a string) and date (YYYY-MM-DD) as strings, number as an "
    "integer, yes/no as a boolean, multiple choice as a list of strings. Every defined key "
    "is present when read (null: no value); a write changes only the keys it gives.",
    "example": {"contract_tier": "Gold", "seats": 25},
}


@extend_schema_field(CUSTOM_FIELDS_SCHEMA)
class CustomFieldsField(serializers.Field):
    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        super().__init__(source="custom_field_data", **kwargs)

    def definitions(self):
        cache = self.context.setdefault("custom_field_definitions", {}) if self.context else {}
        if self.kind not in cache:
            cache[self.kind] = definitions_for(self.kind)
        return cache[self.kind]

    def to_representation(self, value):
        value = value or {}
        return {definition.key: value.get(definition.key) for definition in self.definitions()}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Give custom fields as an object of key: value.")
        instance = getattr(self.parent, "instance", None)
        current = dict(instance.custom_field_data or {}) if instance is not None else {}
        merged = {**current, **data}
        merged = {key: value for key, value in merged.items() if value is not None}
        try:
            return clean_record_data(
                self.kind, merged, new=instance is None, definitions=self.definitions()
            )
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


def tags_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        many=True,
        slug_field="slug",
        queryset=Tag.objects.all(),
        source="chosen_tags",
        required=False,
        help_text="Tag slugs (see /api/v1/tags/); a write replaces the record's tags.",
    )
