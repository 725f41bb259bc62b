"""A tenant's own fields and tags on customers, contacts, locations and assets (NetBox's
CustomField and Tag): definitions live here, values in each record's ``custom_field_data``
(a JSONB column with a GIN index) and tags in a many-to-many. Written only through
fields.services."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from core.policies import Capability
from core.querysets import STAFF_ACTIONS, ScopedQuerySet

KEY_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    "Use lowercase letters, digits and underscores, starting with a letter (up to 40).",
)
MAX_CHOICES = 100


class ObjectKind(models.TextChoices):
    CUSTOMER = "customer", "Customers"
    CONTACT = "contact", "Contacts"
    LOCATION = "location", "Locations"
    ASSET = "asset", "Assets"


class FieldType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "integer", "Number (whole)"
    DECIMAL = "decimal", "Decimal"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Yes / no"
    CHOICE = "choice", "Choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    URL = "url", "Web address"
    EMAIL = "email", "Email"


CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})
RANGE_TYPES = frozenset({FieldType.NUMBER, FieldType.DECIMAL, FieldType.DATE})
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.URL, FieldType.EMAIL})


class DefinitionQuerySet(ScopedQuerySet):
    """Tenant-wide definitions: staff read them, admins change them."""

    scope_paths = ()
    staff_actions = {**STAFF_ACTIONS, "change": Capability.MANAGE_RECORDS}
    portal_actions: dict[str, str] = {}

    def for_kind(self, kind: str) -> DefinitionQuerySet:
        return self.filter(object_kind=kind).order_by("order", "label", "pk")


class CustomField(models.Model):
    object_kind = models.CharField("on", max_length=20, choices=ObjectKind)
    key = models.CharField(
        max_length=40,
        validators=[KEY_VALIDATOR],
        help_text="Its name in imports (cf_<key>), exports and the API; cannot change later.",
    )
    label = models.CharField(max_length=100)
    field_type = models.CharField("type", max_length=20, choices=FieldType)
    required = models.BooleanField(default=False)
    default = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    help_text = models.CharField(max_length=200, blank=True)
    choices = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    show_in_list = models.BooleanField(
        "show in list by default",
        default=False,
        help_text="Shown as a column of the list (on wide screens).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = DefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["object_kind", "order", "label", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["object_kind", "key"], name="custom_field_kind_key"),
            models.UniqueConstraint(
                "object_kind", Lower("label"), name="custom_field_kind_label_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def column_name(self) -> str:
        return f"cf_{self.key}"

    @property
    def is_choice(self) -> bool:
        return self.field_type in CHOICE_TYPES

    @property
    def is_range(self) -> bool:
        return self.field_type in RANGE_TYPES

    def clean(self) -> None:
        super().clean()
        self.label = (self.label or "").strip()
        self.choices = [c.strip() for c in self.choices or [] if c and c.strip()]
        if self.is_choice:
            if not self.choices:
                raise ValidationError({"choices": "Give at least one choice."})
            if len(self.choices) > MAX_CHOICES:
                raise ValidationError({"choices": f"At most {MAX_CHOICES} choices."})
            if len({c.lower() for c in self.choices}) != len(self.choices):
                raise ValidationError({"choices": "Each choice may appear once."})
        elif self.choices:
            raise ValidationError({"choices": "Only choice fields have choices."})
        if self.default not in (None, "", []):
            from .values import to_stored

            try:
                self.default = to_stored(self, self.default)
            except ValidationError as error:
                raise ValidationError({"default": error.messages}) from None
        else:
            self.default = None


class TagColour(models.TextChoices):
    """A fixed palette: each background is paired with the text colour that gives it at
    least 4.5:1 contrast (WCAG AA), so every badge stays readable."""

    BLUE = "blue", "Blue"
    GREEN = "green", "Green"
    RED = "red", "Red"
    PURPLE = "purple", "Purple"
    TEAL = "teal", "Teal"
    ORANGE = "orange", "Orange"
    PINK = "pink", "Pink"
    INDIGO = "indigo", "Indigo"
    GREY = "grey", "Grey"
    YELLOW = "yellow", "Yellow"


TAG_COLOURS: dict[str, tuple[str, str]] = {
    "blue": ("#1d4ed8", "#ffffff"),
    "green": ("#15803d", "#ffffff"),
    "red": ("#b91c1c", "#ffffff"),
    "purple": ("#7e22ce", "#ffffff"),
    "teal": ("#0f766e", "#ffffff"),
    "orange": ("#c2410c", "#ffffff"),
    "pink": ("#be185d", "#ffffff"),
    "indigo": ("#4338ca", "#ffffff"),
    "grey": ("#4b5563", "#ffffff"),
    "yellow": ("#facc15", "#1f2937"),
}


class Tag(models.Model):
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True, allow_unicode=False)
    colour = models.CharField(max_length=20, choices=TagColour, default=TagColour.BLUE)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = DefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def badge_style(self) -> str:
        background, text = TAG_COLOURS.get(self.colour, TAG_COLOURS["grey"])
        return f"background-color:{background};color:{text}"


class CustomFieldsModel(models.Model):
    """Custom field values and tags on a record (NetBox's CustomFieldsMixin). ``clean()``
    checks the values against the tenant's definitions; ``chosen_tags`` set before a save
    (by a service's data, as forms and the API give them) replaces the record's tags in the
    same transaction, with a history row naming the tags added and removed."""

    custom_field_kind: ClassVar[str] = ""

    custom_field_data = models.JSONField(
        "custom fields", default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    tags = models.ManyToManyField("fields.Tag", blank=True, related_name="%(class)ss")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        pending = getattr(self, "_pending_tags", None)
        if pending is not None:
            self._pending_tags = None
            from .services import apply_tags

            apply_tags(obj=self, tags=pending, actor=getattr(self, "_history_user", None))

    @property
    def chosen_tags(self) -> list[Tag]:
        pending = getattr(self, "_pending_tags", None)
        if pending is not None:
            return pending
        return list(self.tags.all()) if self.pk else []

    @chosen_tags.setter
    def chosen_tags(self, tags) -> None:
        self._pending_tags = list(tags or [])

    def clean_fields(self, exclude=None) -> None:
        """The values are checked with the record's fields, unless the caller leaves them out
        (a form without the custom fields, e.g. the wizard's first steps)."""
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not exclude or "custom_field_data" not in exclude:
            from .values import clean_record_data

            try:
                self.custom_field_data = clean_record_data(
                    self.custom_field_kind,
                    self.custom_field_data,
                    new=self.pk is None,
                    definitions=getattr(self, "_custom_definitions", None),  # an import's
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def history_json_labels(cls, name: str) -> dict[str, str]:
        """History shows a change of the custom values key by key, under the fields' labels
        (core.history); a field removed since shows its key."""
        if name != "custom_field_data":
            return {}
        from .values import definitions_for

        return {
            definition.key: definition.label
            for definition in definitions_for(cls.custom_field_kind)
        }

    def custom_search_parts(self) -> list[str]:
        """The text of the record's custom values, for its search haystack."""
        parts: list[str] = []
        for value in (self.custom_field_data or {}).values():
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, list):
                parts.extend(str(item) for item in value)
        return parts
