"""Forms: the custom fields and tags of a record's form (a mixin for the apps' ModelForms),
and the admins' forms for definitions and tags."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .models import CHOICE_TYPES, CustomField, FieldType, ObjectKind, Tag
from .values import MAX_TEXT, definitions_for, to_stored

TAGS_FIELD = "chosen_tags"
EMPTY_CHOICE = ("", "—")


def form_field(definition: CustomField, *, initial=None) -> forms.Field:
    """The form field of one definition, with its own widget and checks."""
    common = {
        "label": definition.label,
        "required": definition.required,
        "help_text": definition.help_text,
        "initial": initial,
    }
    kind = definition.field_type
    if kind == FieldType.NUMBER:
        return forms.IntegerField(**common, max_value=10**18 - 1, min_value=-(10**18) + 1)
    if kind == FieldType.DECIMAL:
        return forms.DecimalField(**common, max_digits=24, decimal_places=6)
    if kind == FieldType.DATE:
        return forms.DateField(
            **common, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
    if kind == FieldType.BOOLEAN:
        if isinstance(initial, bool):
            common["initial"] = "yes" if initial else "no"
        return forms.ChoiceField(**common, choices=[EMPTY_CHOICE, ("yes", "Yes"), ("no", "No")])
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(
            **common, choices=[EMPTY_CHOICE, *[(c, c) for c in definition.choices]]
        )
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            **common,
            choices=[(c, c) for c in definition.choices],
            widget=forms.CheckboxSelectMultiple,
        )
    if kind == FieldType.URL:
        return forms.URLField(
            **common,
            assume_scheme="https",
            max_length=MAX_TEXT,
            widget=forms.URLInput(attrs={"placeholder": "https://"}),
        )
    if kind == FieldType.EMAIL:
        return forms.EmailField(**common, max_length=254)
    return forms.CharField(**common, max_length=MAX_TEXT)


def tags_field(initial=None) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Tag.objects.order_by("name"),
        required=False,
        label="Tags",
        initial=initial,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "tag-choices"}),
    )


class ComputedValue(forms.Widget):
    """A form value made from other fields (``custom_field_data`` from the ``cf_<key>``
    fields): renders nothing, reads nothing, and is never "left out" of the post."""

    input_type = "hidden"

    def render(self, name, value, attrs=None, renderer=None):
        return ""

    def value_from_datadict(self, data, files, name):
        return None

    def value_omitted_from_data(self, data, files, name):
        return False


class CustomFieldsFormMixin:
    """Adds ``cf_<key>`` fields for the tenant's definitions of ``custom_field_kind`` and a
    Tags field. ``cleaned_data`` then carries ``custom_field_data`` (the checked values) and
    ``chosen_tags`` (unless ``with_tags`` is off), which the record's service saves."""

    custom_field_kind = ""

    def add_custom_fields(self, *, with_tags: bool = True) -> None:
        self.fields["custom_field_data"] = forms.Field(required=False, widget=ComputedValue)
        self.custom_field_definitions = definitions_for(self.custom_field_kind)
        instance = getattr(self, "instance", None)
        existing = instance.pk is not None if instance is not None else False
        values = (instance.custom_field_data or {}) if existing else {}
        for definition in self.custom_field_definitions:
            initial = values.get(definition.key) if existing else definition.default
            self.fields[definition.column_name] = form_field(definition, initial=initial)
        self.with_tags = with_tags
        if with_tags:
            self.fields[TAGS_FIELD] = tags_field(
                initial=[tag.pk for tag in instance.tags.all()] if existing else None
            )

    @property
    def custom_field_names(self) -> list[str]:
        return [d.column_name for d in getattr(self, "custom_field_definitions", [])]

    @property
    def custom_bound_fields(self) -> list:
        """The custom fields and the tags, bound, for a template to render in order."""
        names = [name for name in self.custom_field_names if name in self.fields]
        if TAGS_FIELD in self.fields:
            names.append(TAGS_FIELD)
        return [self[name] for name in names]

    def clean(self):
        cleaned = super().clean()
        if not hasattr(self, "custom_field_definitions"):
            return cleaned
        data = {}
        for definition in self.custom_field_definitions:
            name = definition.column_name
            if name not in cleaned:
                continue  # the field's own error is shown
            try:
                stored = to_stored(definition, cleaned[name])
            except ValidationError as error:
                self.add_error(name, error)
                continue
            if stored is not None:
                data[definition.key] = stored
        if self.errors:
            cleaned.pop("custom_field_data", None)  # the record keeps its values meanwhile
        else:
            for name in self.custom_field_names:
                cleaned.pop(name, None)
            cleaned["custom_field_data"] = data
            instance = getattr(self, "instance", None)
            if instance is not None:
                instance.custom_field_data = data
        return cleaned

    def _get_validation_exclusions(self):
        """A custom field the form refused is not checked again by the model."""
        exclude = super()._get_validation_exclusions()
        if any(name in self._errors for name in self.custom_field_names):
            exclude.add("custom_field_data")
        return exclude

    def _update_errors(self, errors):
        """The model's own check of the values (a safety net) shows on the form as a whole."""
        error_dict = getattr(errors, "error_dict", None)
        if error_dict and "custom_field_data" in error_dict:
            error_dict.setdefault(NON_FIELD_ERRORS, []).extend(error_dict.pop("custom_field_data"))
        super()._update_errors(errors)


# --- Admins' forms ---------------------------------------------------------------------------


class ChoicesField(forms.CharField):
    """One choice per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class CustomFieldForm(forms.ModelForm):
    """Adding a field: what it is on, its key and type (fixed from then on), and the rest."""

    choices = ChoicesField(
        required=False,
        help_text="Choice fields: one choice per line.",
    )
    default = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        help_text="Given to new records. Yes/no: yes or no; multiple choice: separated by ;",
    )

    class Meta:
        model = CustomField
        fields = [
            "object_kind",
            "label",
            "key",
            "field_type",
            "required",
            "default",
            "help_text",
            "choices",
            "order",
            "show_in_list",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("object_kind", "key", "field_type"):
                self.fields.pop(name)
            if self.instance.default is not None:
                from .values import cell_text

                self.initial["default"] = cell_text(self.instance, self.instance.default)
        else:
            self.fields["object_kind"].choices = ObjectKind.choices

    def clean(self):
        cleaned = super().clean()
        field_type = cleaned.get("field_type") or self.instance.field_type
        default = cleaned.get("default")
        if default in (None, ""):
            cleaned["default"] = None
        elif field_type:
            probe = CustomField(
                field_type=field_type,
                label=cleaned.get("label") or "Default",
                choices=cleaned.get("choices") or [],
            )
            from .values import parse_cell

            try:
                cleaned["default"] = parse_cell(probe, default)
            except ValueError as error:
                self.add_error("default", str(error))
        if field_type in CHOICE_TYPES and not cleaned.get("choices"):
            self.add_error("choices", "Give at least one choice, one per line.")
        return cleaned

    def _post_clean(self):
        # The service checks the whole definition (and its uniqueness) under a lock.
        pass


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "colour"]
        widgets = {"colour": forms.RadioSelect(attrs={"class": "tag-colour-choices"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        pass
