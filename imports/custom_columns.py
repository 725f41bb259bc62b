"""The tenant's custom fields (``cf_<key>``) and ``tags`` as import columns of customers,
contacts, locations and assets. Each kind's resource class is extended per use with the
current definitions (``with_custom_columns``); a cell is read as the export writes it
(fields.values.parse_cell), tags by name separated by semicolons. Definitions, tags and each
chunk's current tags are loaded in bulk: a row costs no query."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields

from fields.models import FieldType, Tag
from fields.values import clean_record_data, definitions_for, parse_cell

from .widgets import Column, as_text

TAGS_COLUMN = "tags"
ALLOWED = {
    FieldType.TEXT: "Text",
    FieldType.NUMBER: "A whole number",
    FieldType.DECIMAL: "A number, e.g. 12.50",
    FieldType.DATE: "YYYY-MM-DD",
    FieldType.BOOLEAN: "yes or no",
    FieldType.URL: "A web address (https://…)",
    FieldType.EMAIL: "An email address",
}


def _allowed(definition) -> str:
    if definition.field_type == FieldType.CHOICE:
        return "One of: " + ", ".join(definition.choices)
    if definition.field_type == FieldType.MULTI_CHOICE:
        return "Any of, separated by semicolons: " + ", ".join(definition.choices)
    return ALLOWED.get(definition.field_type, "Text")


class CustomColumnsMixin:
    custom_field_kind = ""
    custom_definitions: list = []

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fixed_attributes = frozenset({*self.fixed_attributes, "tag_names"})
        self.tags_by_name: dict[str, Tag] = {}
        self.tags_of: dict[int, list[Tag]] = {}

    def prepare(self) -> None:
        super().prepare()
        if TAGS_COLUMN in self.present:
            self.tags_by_name = {tag.name.lower(): tag for tag in Tag.objects.all()}

    def load(self, rows: list[dict]) -> None:
        super().load(rows)
        if TAGS_COLUMN not in self.present:
            return
        model = self._meta.model
        records = list(self.existing.values())
        names: dict[int, set[str]] = {record.pk: set() for record in records}
        through = model.tags.through
        column = f"{model._meta.model_name}_id"
        if names:
            pairs = through.objects.filter(**{f"{column}__in": list(names)}).values_list(
                column, "tag__name"
            )
            for pk, name in pairs:
                names[pk].add(name)
        for record in records:
            record.tag_names = frozenset(names[record.pk])

    def import_instance(self, instance, row, **kwargs) -> None:
        errors: dict = {}
        instance._custom_definitions = self.custom_definitions
        given = [d for d in self.custom_definitions if d.column_name in self.present]
        if given or instance.pk is None:
            data = dict(instance.custom_field_data or {})
            for definition in given:
                try:
                    value = parse_cell(
                        definition, as_text(self.guard(row.get(definition.column_name)))
                    )
                except ValueError as error:
                    errors[definition.column_name] = [str(error)]
                    continue
                if value is None:
                    data.pop(definition.key, None)
                else:
                    data[definition.key] = value
            if not errors:
                try:
                    instance.custom_field_data = clean_record_data(
                        self.custom_field_kind,
                        data,
                        new=instance.pk is None,
                        definitions=self.custom_definitions,
                    )
                except ValidationError as error:
                    errors["custom_field_data"] = error.message_dict["custom_field_data"]
        if TAGS_COLUMN in self.present:
            chosen, unknown = [], []
            for name in (part.strip() for part in as_text(row.get(TAGS_COLUMN)).split(";")):
                if name:
                    tag = self.tags_by_name.get(name.lower())
                    (unknown if tag is None else chosen).append(tag or name)
            if unknown:
                errors[TAGS_COLUMN] = [
                    "No tag called " + ", ".join(f"“{n[:40]}”" for n in unknown) + "; add it "
                    "under Settings → Tags first."
                ]
            else:
                instance.tag_names = frozenset(tag.name for tag in chosen)
                row["_tags"] = chosen
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def accepted(self, instance, row: dict) -> None:
        super().accepted(instance, row)
        if "_tags" in row:
            self.tags_of[id(instance)] = row["_tags"]

    def column_of(self, name: str) -> str:
        if name == "custom_field_data":
            return self.custom_definitions[0].column_name if self.custom_definitions else name
        return super().column_of(name)

    def flush(self) -> None:
        written = [*self.creates, *(instance for instance, _changes in self.updates)]
        super().flush()
        model = self._meta.model
        through = model.tags.through
        column = f"{model._meta.model_name}_id"
        for instance in written:
            tags = self.tags_of.pop(id(instance), None)
            if tags is None:
                continue
            through.objects.filter(**{column: instance.pk}).exclude(
                tag__in=[tag.pk for tag in tags]
            ).delete()
            have = set(
                through.objects.filter(**{column: instance.pk}).values_list("tag_id", flat=True)
            )
            through.objects.bulk_create(
                [through(**{column: instance.pk, "tag_id": t.pk}) for t in tags if t.pk not in have]
            )


def with_custom_columns(base: type, kind: str) -> type:
    """``base`` with a column per custom field of ``kind`` and a tags column."""
    definitions = definitions_for(kind)
    columns = list(base.columns)
    attrs: dict = {}
    for definition in definitions:
        columns.append(
            Column(
                definition.column_name,
                definition.label,
                False,
                _allowed(definition),
                help=definition.help_text
                or "A custom field; an empty cell clears it (a new record gets its default).",
            )
        )
        attrs[definition.column_name] = fields.Field(
            attribute="custom_field_data", column_name=definition.column_name, readonly=True
        )
    columns.append(
        Column(
            TAGS_COLUMN,
            "Tags",
            allowed="Tag names separated by semicolons; an empty cell removes them",
            example="Key account; Renewal due",
        )
    )
    attrs[TAGS_COLUMN] = fields.Field(attribute="tag_names", column_name=TAGS_COLUMN, readonly=True)
    meta = type("Meta", (base.Meta,), {"fields": [c.name for c in columns]})
    return type(
        base.__name__,
        (CustomColumnsMixin, base),
        {
            **attrs,
            "__module__": base.__module__,
            "Meta": meta,
            "columns": columns,
            "custom_field_kind": kind,
            "custom_definitions": definitions,
        },
    )


class ResourcesWithCustomColumns(dict):
    """The kinds of import; those with custom fields come with the tenant's current ones."""

    def __init__(self, resources: dict, kinds: dict[str, str]):
        super().__init__(resources)
        self.kinds = kinds

    def __getitem__(self, kind: str):
        base = super().__getitem__(kind)
        if kind in self.kinds:
            return with_custom_columns(base, self.kinds[kind])
        return base
