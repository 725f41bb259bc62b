"""django-import-export Resources for customers, locations and assets.

Each row is matched to an existing record by its natural key (customer: external ID, else
name; location: customer + name; asset: serial number), filled through widgets that give
field-level messages, validated with the model's own field rules (choices, countries, emails,
phone numbers), and saved in bulk with one history record per row. Every lookup is preloaded
in bulk before the first row, so validating a row costs no query."""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DatabaseError, transaction
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries import countries
from import_export import fields, resources, widgets
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException

from assets.models import Asset, AssetCategory, AssetStatus, normalise_serial
from customers.models import BusinessType, Customer, CustomerStatus
from locations.models import Location, LocationStatus, LocationType

from .bulk import insert_new, record_history, update_rows
from .models import RowAction

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
PASSED_LIMIT = 10_000


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool = False
    allowed: str = ""
    help: str = ""
    example: str = ""


def _choices(choices) -> str:
    return ", ".join(label for _, label in choices.choices)


def is_hashable(value) -> bool:
    return isinstance(value, str | int | Decimal | datetime.date | PhoneNumber)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
    """A cell as text: numbers typed into a spreadsheet (postal codes, phone numbers) lose
    their ".0"; dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


# --- Widgets ---------------------------------------------------------------------------------


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return as_text(value)


class WebsiteWidget(TextWidget):
    """Like the forms: a website typed without a scheme gets https://."""

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if text and not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
            text = f"https://{text}"
        return text


class ImportedPhoneNumber(PhoneNumber):
    """A phone number that checks and formats itself once: a row reads it five times (its
    length and validity checks, the search text and digits, the insert)."""

    def is_valid(self) -> bool:
        valid = self.__dict__.get("_valid")
        if valid is None:
            valid = self.__dict__["_valid"] = super().is_valid()
        return valid

    def format_as(self, format) -> str:
        formats = self.__dict__.setdefault("_formats", {})
        if format not in formats:
            formats[format] = super().format_as(format)
        return formats[format]


class PhoneWidget(widgets.Widget):
    """Parses the number once (the field's own rules then judge it)."""

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return ""
        try:
            return ImportedPhoneNumber.from_string(text)
        except NumberParseException:
            return text  # the field's validator explains what is wrong


class ChoiceWidget(widgets.Widget):
    """Accepts the stored value or its label, in any case; an empty cell keeps the default
    (new rows) or the current value (updates)."""

    def __init__(self, choices):
        super().__init__()
        self.choices = choices
        self.lookup = {}
        for value, label in choices.choices:
            self.lookup[value.lower()] = value
            self.lookup[str(label).lower()] = value
            self.lookup[str(label).lower().replace(" ", "_")] = value

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return None
        found = self.lookup.get(text.lower()) or self.lookup.get(text.lower().replace(" ", "_"))
        if found is None:
            raise ValueError(f"“{text}” is not one of: {_choices(self.choices)}.")
        return found


COUNTRY_LOOKUP: dict[str, str] = {}


def country_code(text: str) -> str:
    if not COUNTRY_LOOKUP:
        for code, name in countries:
            COUNTRY_LOOKUP[code.lower()] = code
            COUNTRY_LOOKUP[str(name).lower()] = code
        for alias, code in {"usa": "US", "uk": "GB", "united states of america": "US"}.items():
            COUNTRY_LOOKUP[alias] = code
    return COUNTRY_LOOKUP.get(text.strip().lower(), "")


class CountryWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return ""
        code = country_code(text)
        if not code:
            raise ValueError(
                f"Unknown country “{text}”: use a two-letter code such as US, GB, DE or the "
                "country's English name."
            )
        return code


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = as_text(value)
        for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(f"“{text}” is not a date; write it as YYYY-MM-DD, e.g. 2025-03-31.")


class MoneyWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        if isinstance(value, int | float | Decimal):
            return Decimal(str(value))
        text = as_text(value).replace(" ", "").replace(",", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}” is not an amount; write it like 1234.50.") from None


# --- Customer references ---------------------------------------------------------------------


@dataclass
class CustomerKey:
    pk: int
    name: str
    external_id: str
    deleted_at: datetime.datetime | None


class CustomerIndex:
    """Every customer's id, name, external ID and deletion date, read in one query, so rows
    refer to customers by external ID or name without a query each."""

    def __init__(self):
        self.by_external_id: dict[str, CustomerKey] = {}
        self.by_name: dict[str, list[CustomerKey]] = {}
        rows = Customer.objects.order_by().values_list("pk", "name", "external_id", "deleted_at")
        for pk, name, external_id, deleted_at in rows:
            key = CustomerKey(pk, name, external_id, deleted_at)
            if external_id:
                self.by_external_id[external_id.lower()] = key
            self.by_name.setdefault(name.strip().lower(), []).append(key)

    def refer(self, text: str) -> CustomerKey:
        """The customer a cell names (external ID first, then name); ValueError otherwise."""
        text = as_text(text)
        found = self.by_external_id.get(text.lower())
        if found is None:
            named = self.by_name.get(text.lower(), [])
            live = [key for key in named if key.deleted_at is None]
            if len(live) > 1:
                raise ValueError(
                    f"{len(live)} customers are called “{text}”; use the customer's external ID."
                )
            found = live[0] if live else (named[0] if named else None)
        if found is None:
            raise ValueError(f"No customer has the external ID or name “{text}”.")
        if found.deleted_at is not None:
            raise ValueError(f"Customer “{found.name}” has been deleted; restore it first.")
        return found


def deleted_message(key: CustomerKey) -> str:
    when = timezone.localtime(key.deleted_at).strftime("%Y-%m-%d")
    return (
        f"Customer “{key.name}” was deleted on {when}. Imports never restore or change deleted "
        "customers: restore it first, or remove this row."
    )


def any_of(values, sql_type: str = "bigint") -> RawSQL:
    """``pk__in=any_of(ids)``: one array parameter, however many values (no 65,535 limit)."""
    return RawSQL(f"SELECT unnest(%s::{sql_type}[])", [list(values)])


# --- Resources -------------------------------------------------------------------------------


@dataclass
class Sheet:
    """The rows of a file, each a list of cells in the order of ``headers`` (the resource's
    column names), with each row's line number in the file."""

    headers: list[str]
    rows: list[list]
    lines: list[int]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class ImportResult:
    """What a run found: one ``(line, action, record, messages)`` tuple per row — no model
    instances are kept —, the count per action, and errors about the whole file."""

    rows: list[tuple[int, str, str, list]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    base_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.counts[RowAction.ERROR] or self.base_errors)


class Rollback(Exception):
    """Leaves the import's transaction so that nothing it wrote is kept."""


class ImportResource(resources.ModelResource):
    """Shared behaviour; subclasses say how a row finds its record and what it may refer to.

    django-import-export gives the declarative columns and widgets; the row loop is ours
    (``run``): rows go in chunks of ``CHUNK_ROWS``, each chunk's existing records come in one
    query (locked when importing), each row costs a dict, a model instance and the field
    checks of the cells it fills, and its outcome is a small tuple."""

    columns: list[Column] = []
    key_label = ""
    reason = "Imported"
    # Model fields the resource resolves itself (no per-row existence query in full_clean),
    # and those its widgets already validate (a country field's own check walks all 250
    # countries per value: 2.5 ms a row).
    resolved_fields: frozenset[str] = frozenset()
    widget_validated = frozenset({"country", "billing_country"})

    class Meta:
        import_id_fields: list[str] = []

    def __init__(
        self,
        *,
        actor=None,
        lines: list[int] | None = None,
        lock: bool = False,
        progress: Callable[[int], None] | None = None,
    ):
        super().__init__()
        self.actor = actor
        self.lines = lines or []
        self.lock = lock
        self.progress = progress
        self.seen: dict = {}
        self.line = 0
        self.present: set[str] = set()
        self.now = timezone.now()
        self.existing: dict = {}
        self.creates: list = []
        self.updates: list = []

    # Columns -> fields
    @classmethod
    def column_names(cls) -> list[str]:
        return [column.name for column in cls.columns]

    @classmethod
    def required_columns(cls) -> list[Column]:
        return [column for column in cls.columns if column.required]

    def get_import_fields(self):
        return [self.fields[name] for name in self.column_names() if name in self.present]

    def line_of(self, row_number: int) -> int:
        return self.lines[row_number - 1] if row_number <= len(self.lines) else row_number + 1

    # The run
    def run(self, sheet: Sheet, *, dry_run: bool) -> ImportResult:
        """Classify every row; unless ``dry_run``, write them all in one transaction, or
        nothing when a row fails or a write is refused."""
        self.lines = sheet.lines
        self.present = set(sheet.headers)
        self.prepare()
        result = ImportResult()
        if dry_run:
            self.process(sheet, result, dry_run=True)
            return result
        try:
            with transaction.atomic():
                self.process(sheet, result, dry_run=False)
                if result.failed:
                    raise Rollback
        except Rollback:
            pass
        except DatabaseError as error:
            logger.warning("Import write refused", exc_info=True)
            result.base_errors.append(f"the database refused a write ({error})".strip())
        return result

    def prepare(self) -> None:
        """Per-run constants: the fields the file fills and the model fields to check."""
        self.import_fields = [
            field for field in self.get_import_fields() if field.attribute and not field.readonly
        ]
        meta = self._meta.model._meta
        imported = {self.fields[name].attribute for name in self.present if name in self.fields}
        skip = set(self.resolved_fields) | set(self.widget_validated)
        self.checked_fields = [
            model_field
            for model_field in meta.concrete_fields
            if (model_field.name in imported or model_field.attname in imported)
            and model_field.name not in skip
            and not model_field.generated
        ]
        # Values that passed a field's rules (city, status, industry repeat row after row):
        # the rules depend on the value only, so each distinct value is checked once.
        self.passed: dict[str, set] = {
            model_field.name: set() for model_field in self.checked_fields
        }
        self.compared = [
            (name, self.fields[name].attribute)
            for name in self.column_names()
            if name in self.present and self.fields[name].attribute
        ]

    def process(self, sheet: Sheet, result: ImportResult, *, dry_run: bool) -> None:
        headers = sheet.headers
        all_rows = sheet.rows
        self.preload(dict(zip(headers, values, strict=False)) for values in all_rows)
        for start in range(0, len(all_rows), CHUNK_ROWS):
            chunk = [
                dict(zip(headers, values, strict=False))
                for values in all_rows[start : start + CHUNK_ROWS]
            ]
            self.load(chunk)
            for offset, row in enumerate(chunk):
                self.line = self.line_of(start + offset + 1)
                outcome = self.import_one(row, dry_run=dry_run)
                result.counts[outcome[1]] += 1
                result.rows.append(outcome)
            if not dry_run and not result.failed:
                self.flush()
            self.creates, self.updates, self.existing = [], [], {}
            if self.progress:
                self.progress(min(start + CHUNK_ROWS, len(all_rows)))

    def import_one(self, row: dict, *, dry_run: bool) -> tuple[int, str, str, list]:
        try:
            instance = self.find(row)
            new = instance is None
            if new:
                instance = self.init_instance(row)
                before = None
            else:
                before = [getattr(instance, attribute) for _, attribute in self.compared]
            self.import_instance(instance, row)
            if before is not None and before == [
                getattr(instance, attribute) for _, attribute in self.compared
            ]:
                return (self.line, RowAction.UNCHANGED, str(instance)[:255], [])
            if not dry_run:
                self.before_save_instance(instance, row)
                (self.creates if new else self.updates).append(instance)
            return (self.line, RowAction.NEW if new else RowAction.UPDATE, str(instance)[:255], [])
        except ValidationError as error:
            return (self.line, RowAction.ERROR, self.record_label(row)[:255], self.messages(error))
        except Exception as error:  # one odd row must not stop the others' check
            logger.debug("Import row %s failed", self.line, exc_info=True)
            return (
                self.line,
                RowAction.ERROR,
                self.record_label(row)[:255],
                [["", f"Could not be saved: {error}"]],
            )

    def messages(self, error: ValidationError) -> list[list[str]]:
        messages = []
        for name, errors in error.message_dict.items():
            column = "" if name == NON_FIELD_ERRORS else self.column_of(name)
            messages += [[column, str(message)] for message in errors]
        return messages

    def column_of(self, name: str) -> str:
        for column in self.column_names():
            if column == name or self.fields[column].attribute in (name, f"{name}_id"):
                return column
        return name

    def remember(self, key, label: str) -> None:
        """Refuse a second row with the same natural key, naming the first."""
        first = self.seen.get(key)
        if first is not None:
            raise ValidationError(
                {NON_FIELD_ERRORS: f"Same {label} as line {first}; each record may appear once."}
            )
        self.seen[key] = self.line

    def guard(self, value):
        from .parsing import is_formula, unneutralise

        if is_formula(value):
            raise ValueError(
                "Looks like a spreadsheet formula; imports never store formulas. Type the value "
                "itself (or start the cell with an apostrophe)."
            )
        return unneutralise(value)

    def import_instance(self, instance, row, **kwargs) -> None:
        """Fill the instance from the row's cells, then check it; every problem of the row
        at once, as one ValidationError keyed by field."""
        errors: dict = {}
        for import_field in self.import_fields:
            try:
                value = import_field.widget.clean(self.guard(row.get(import_field.column_name)))
            except ValueError as error:
                errors[import_field.attribute] = [str(error)]
                continue
            if value is not None or import_field.saves_null_values:
                setattr(instance, import_field.attribute, value)
        try:
            self.check(instance, row, exclude=set(errors))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def check(self, instance, row, exclude: set[str]) -> None:
        """The model's field rules (choices, lengths, emails, URLs, phone numbers) for the
        fields the file fills and that are not empty, without the per-row queries of
        uniqueness and foreign-key checks: keys are matched in bulk, references resolved from
        preloaded maps."""
        errors: dict = {}
        for model_field in self.checked_fields:
            if model_field.name in exclude or model_field.attname in exclude:
                continue
            raw = getattr(instance, model_field.attname)
            if model_field.blank and raw in model_field.empty_values:
                continue
            passed = self.passed[model_field.name]
            if is_hashable(raw) and raw in passed:
                continue
            try:
                cleaned = model_field.clean(raw, instance)
            except ValidationError as error:
                errors[model_field.name] = error.error_list
                continue
            if cleaned is raw:
                if len(passed) < PASSED_LIMIT and is_hashable(raw):
                    passed.add(raw)
            else:
                setattr(instance, model_field.attname, cleaned)
        if errors:
            raise ValidationError(errors)
        self.check_record(instance, row)

    def check_record(self, instance, row) -> None:
        """Model-level rules of the kind (subclasses)."""

    def before_save_instance(self, instance, row, **kwargs):
        instance.updated_at = self.now
        instance.refresh_search_fields()

    def update_fields(self) -> list[str]:
        """The columns the file has (and what saving maintains), for the bulk update."""
        meta = self._meta.model._meta
        names: list[str] = []
        for column in self.column_names():
            attribute = self.fields[column].attribute
            if column in self.present and attribute not in self.fixed_attributes:
                name = meta.get_field(attribute).name if attribute.endswith("_id") else attribute
                if name not in names:
                    names.append(name)
        return [*names, "updated_at", "search_text", *self.extra_update_fields]

    extra_update_fields: tuple[str, ...] = ()
    # Attributes an update never changes (part of the key).
    fixed_attributes: frozenset[str] = frozenset()

    def flush(self) -> None:
        """Write the chunk's new and changed records, each with its history record."""
        model = self._meta.model
        user_id = self.actor.pk if self.actor is not None else None
        if self.creates:
            insert_new(model, self.creates, now=self.now)
            record_history(
                model,
                [instance.pk for instance in self.creates],
                history_type="+",
                user_id=user_id,
                reason=self.reason,
                date=self.now,
            )
        if self.updates:
            update_rows(model, self.updates, self.update_fields())
            record_history(
                model,
                [instance.pk for instance in self.updates],
                history_type="~",
                user_id=user_id,
                reason=self.reason,
                date=self.now,
            )

    def find(self, row):
        raise NotImplementedError

    def init_instance(self, row=None):
        return self._meta.model()

    def preload(self, rows) -> None:
        """Lookups for the whole file (e.g. every customer's keys), before the first row."""

    def load(self, rows: list[dict]) -> None:
        """The existing records the chunk's rows may update, into ``self.existing``."""

    def record_label(self, row: dict) -> str:
        """How an error row names its record (it may have none)."""
        return as_text(row.get("name")) or as_text(row.get("external_id"))


def text_field(name: str, widget=None) -> fields.Field:
    return fields.Field(
        attribute=name, column_name=name, widget=widget or TextWidget(), saves_null_values=False
    )


CUSTOMER_COLUMNS = [
    Column("name", "Customer name", True, "Text, up to 200 characters", example="Acme Ltd"),
    Column(
        "external_id",
        "External ID",
        help="Your CRM/ERP's ID. Rows are matched to existing customers by it "
        "(case-insensitive), else by name.",
        example="CRM-1001",
    ),
    Column("industry", "Industry", example="Manufacturing"),
    Column("business_type", "Business type", allowed=_choices(BusinessType), example="SMB"),
    Column("status", "Status", allowed=_choices(CustomerStatus), example="Active"),
    Column(
        "website", "Website", allowed="A web address; https:// is added", example="acme.example"
    ),
    Column("description", "Description"),
    Column(
        "company_email", "Company email", allowed="An email address", example="info@acme.example"
    ),
    Column(
        "company_phone",
        "Company phone",
        allowed="International format, e.g. +44 20 7946 0000",
        example="+1 202 555 0100",
    ),
    Column("contact_name", "Primary contact", example="Jane Doe"),
    Column("contact_email", "Contact email", allowed="An email address"),
    Column("contact_phone", "Contact phone", allowed="International format"),
    Column("address_line1", "Address line 1", example="1 Main Street"),
    Column("address_line2", "Address line 2"),
    Column("city", "City", example="Springfield"),
    Column("state", "State / province"),
    Column("postal_code", "Postal code"),
    Column(
        "country", "Country", allowed="Two-letter code (US, GB, DE…) or English name", example="US"
    ),
    Column("billing_contact_name", "Billing contact"),
    Column("billing_email", "Billing email", allowed="An email address"),
    Column("billing_phone", "Billing phone", allowed="International format"),
    Column("billing_address_line1", "Billing address line 1"),
    Column("billing_address_line2", "Billing address line 2"),
    Column("billing_city", "Billing city"),
    Column("billing_state", "Billing state / province"),
    Column("billing_postal_code", "Billing postal code"),
    Column("billing_country", "Billing country", allowed="Two-letter code or English name"),
    Column("internal_notes", "Internal notes"),
]


class CustomerResource(ImportResource):
    key_label = "external ID or name"
    columns = CUSTOMER_COLUMNS
    extra_update_fields = ("phone_digits", "version")

    name = text_field("name")
    external_id = text_field("external_id")
    industry = text_field("industry")
    business_type = text_field("business_type", ChoiceWidget(BusinessType))
    status = text_field("status", ChoiceWidget(CustomerStatus))
    website = text_field("website", WebsiteWidget())
    description = text_field("description")
    company_email = text_field("company_email")
    company_phone = text_field("company_phone", PhoneWidget())
    contact_name = text_field("contact_name")
    contact_email = text_field("contact_email")
    contact_phone = text_field("contact_phone", PhoneWidget())
    address_line1 = text_field("address_line1")
    address_line2 = text_field("address_line2")
    city = text_field("city")
    state = text_field("state")
    postal_code = text_field("postal_code")
    country = text_field("country", CountryWidget())
    billing_contact_name = text_field("billing_contact_name")
    billing_email = text_field("billing_email")
    billing_phone = text_field("billing_phone", PhoneWidget())
    billing_address_line1 = text_field("billing_address_line1")
    billing_address_line2 = text_field("billing_address_line2")
    billing_city = text_field("billing_city")
    billing_state = text_field("billing_state")
    billing_postal_code = text_field("billing_postal_code")
    billing_country = text_field("billing_country", CountryWidget())
    internal_notes = text_field("internal_notes")

    class Meta(ImportResource.Meta):
        model = Customer
        fields = [column.name for column in CUSTOMER_COLUMNS]

    def preload(self, rows) -> None:
        """One query for every customer's keys."""
        self.index = CustomerIndex()

    def load(self, rows: list[dict]) -> None:
        """One query for the full records the chunk's rows update (locked when importing)."""
        matched = set()
        for row in rows:
            key, _ = self.match(row)
            if key is not None and key.deleted_at is None:
                matched.add(key.pk)
        queryset = Customer.objects.filter(pk__in=any_of(matched)) if matched else []
        if matched and self.lock:
            queryset = queryset.select_for_update()
        self.existing = {customer.pk: customer for customer in queryset}

    def match(self, row) -> tuple[CustomerKey | None, int]:
        """External ID first; else the name, among customers without another external ID.
        Returns the match and, when the name is ambiguous, how many live customers bear it."""
        external_id = as_text(row.get("external_id")).lower()
        if external_id and external_id in self.index.by_external_id:
            return self.index.by_external_id[external_id], 0
        name = as_text(row.get("name")).lower()
        candidates = [
            key
            for key in self.index.by_name.get(name, [])
            if not key.external_id or not external_id
        ]
        live = [key for key in candidates if key.deleted_at is None]
        if len(live) > 1:
            return None, len(live)
        return (live or candidates or [None])[0], 0

    def find(self, row):
        external_id = as_text(row.get("external_id")).lower()
        name = as_text(row.get("name")).lower()
        if external_id:
            self.remember(("external_id", external_id), "external ID")
        elif name:
            self.remember(("name", name), "customer name")
        key, ambiguous = self.match(row)
        if ambiguous:
            raise ValidationError(
                {
                    "name": f"{ambiguous} customers are called “{as_text(row.get('name'))}”; "
                    "add an external_id column to say which one."
                }
            )
        if key is None:
            return None
        if key.deleted_at is not None:
            raise ValidationError({NON_FIELD_ERRORS: deleted_message(key)})
        return self.existing[key.pk]

    def check_record(self, instance, row) -> None:
        instance.clean()

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk:
            instance.version += 1


LOCATION_COLUMNS = [
    Column(
        "customer",
        "Customer",
        True,
        "The customer's external ID or exact name",
        "Rows are matched to existing locations by customer and name.",
        example="CRM-1001",
    ),
    Column("name", "Location name", True, "Text, up to 200 characters", example="Head office"),
    Column("location_type", "Type", allowed=_choices(LocationType), example="Headquarters"),
    Column("status", "Status", allowed=_choices(LocationStatus), example="Active"),
    Column("address_line1", "Address line 1", example="1 Main Street"),
    Column("address_line2", "Address line 2"),
    Column("postal_code", "Postal code"),
    Column("city", "City", example="Springfield"),
    Column("state", "State / province"),
    Column("country", "Country", allowed="Two-letter code or English name", example="US"),
    Column("notes", "Notes"),
]


class LocationResource(ImportResource):
    key_label = "customer and name"
    resolved_fields = frozenset({"customer"})
    fixed_attributes = frozenset({"customer_id"})
    columns = LOCATION_COLUMNS

    name = text_field("name")
    location_type = text_field("location_type", ChoiceWidget(LocationType))
    status = text_field("status", ChoiceWidget(LocationStatus))
    address_line1 = text_field("address_line1")
    address_line2 = text_field("address_line2")
    postal_code = text_field("postal_code")
    city = text_field("city")
    state = text_field("state")
    country = text_field("country", CountryWidget())
    notes = text_field("notes")
    customer = fields.Field(attribute="customer_id", column_name="customer", readonly=True)

    class Meta(ImportResource.Meta):
        model = Location
        fields = [column.name for column in LOCATION_COLUMNS]

    def preload(self, rows) -> None:
        self.index = CustomerIndex()

    def load(self, rows: list[dict]) -> None:
        customer_ids = set()
        for row in rows:
            try:
                customer_ids.add(self.index.refer(row.get("customer")).pk)
            except ValueError:
                continue
        queryset = (
            Location.objects.filter(customer_id__in=any_of(customer_ids)) if customer_ids else []
        )
        if customer_ids and self.lock:
            queryset = queryset.select_for_update()
        self.existing = {
            (location.customer_id, location.name.strip().lower()): location for location in queryset
        }

    def find(self, row):
        try:
            customer = self.index.refer(row.get("customer"))
        except ValueError as error:
            raise ValidationError({"customer": str(error)}) from None
        row["_customer_id"] = customer.pk
        name = as_text(row.get("name")).lower()
        self.remember((customer.pk, name), "customer and location name")
        return self.existing.get((customer.pk, name))

    def record_label(self, row: dict) -> str:
        return f"{as_text(row.get('name'))} ({as_text(row.get('customer'))})"

    def init_instance(self, row=None):
        return Location(customer_id=row["_customer_id"])

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if field.column_name != "customer"]


ASSET_COLUMNS = [
    Column("name", "Name / asset tag", True, "Text, up to 200 characters", example="SRV-001"),
    Column(
        "serial_number",
        "Serial number",
        True,
        "Unique; rows are matched to existing assets by it (case-insensitive)",
        example="SN-0001",
    ),
    Column("model_name", "Model", example="PowerEdge R750"),
    Column("category", "Category", allowed=_choices(AssetCategory), example="Server"),
    Column("status", "Status", allowed=_choices(AssetStatus), example="Deployed"),
    Column(
        "owner",
        "Owner",
        allowed="A customer's external ID or exact name; empty: your business",
        example="CRM-1001",
    ),
    Column(
        "location",
        "Location",
        allowed="A location's name at the customer in location_customer (or the owner)",
        example="Head office",
    ),
    Column(
        "location_customer",
        "Location's customer",
        allowed="External ID or name; only when the site is not the owner's",
    ),
    Column("purchase_date", "Purchase date", allowed="YYYY-MM-DD", example="2025-01-31"),
    Column("value", "Value", allowed="A number, e.g. 1234.50", example="4999.00"),
    Column("notes", "Notes"),
]


class AssetResource(ImportResource):
    key_label = "serial number"
    resolved_fields = frozenset({"owner", "location", "project"})
    columns = ASSET_COLUMNS

    name = text_field("name")
    serial_number = text_field("serial_number")
    model_name = text_field("model_name")
    category = text_field("category", ChoiceWidget(AssetCategory))
    status = text_field("status", ChoiceWidget(AssetStatus))
    purchase_date = fields.Field(
        attribute="purchase_date", column_name="purchase_date", widget=DateWidget()
    )
    value = fields.Field(attribute="value", column_name="value", widget=MoneyWidget())
    notes = text_field("notes")
    owner = fields.Field(attribute="owner_id", column_name="owner")
    location = fields.Field(attribute="location_id", column_name="location")
    location_customer = fields.Field(
        attribute="location_id", column_name="location_customer", readonly=True
    )

    class Meta(ImportResource.Meta):
        model = Asset
        fields = [column.name for column in ASSET_COLUMNS]

    def preload(self, rows) -> None:
        self.index = CustomerIndex()
        customer_ids = set()
        for row in rows:
            for column in ("owner", "location_customer"):
                if not blank(row.get(column)):
                    with contextlib.suppress(ValueError):
                        customer_ids.add(self.index.refer(row.get(column)).pk)
        self.locations = {
            (customer_id, name.strip().lower()): pk
            for pk, customer_id, name in Location.objects.filter(
                customer_id__in=any_of(customer_ids)
            ).values_list("pk", "customer_id", "name")
        }

    def load(self, rows: list[dict]) -> None:
        serials = set()
        for row in rows:
            serial = normalise_serial(as_text(row.get("serial_number"))).lower()
            if serial:
                serials.add(serial)
        queryset = (
            Asset.objects.annotate(serial_key=Lower("serial_number")).filter(
                serial_key__in=any_of(serials, "text")
            )
            if serials
            else []
        )
        if serials and self.lock:
            queryset = queryset.select_for_update()
        self.existing = {asset.serial_number.lower(): asset for asset in queryset}

    def find(self, row):
        serial = normalise_serial(as_text(row.get("serial_number")))
        if not serial:
            raise ValidationError(
                {"serial_number": "Give the serial number: rows are matched by it."}
            )
        self.remember(serial.lower(), "serial number")
        return self.existing.get(serial.lower())

    def record_label(self, row: dict) -> str:
        return f"{as_text(row.get('name'))} · {as_text(row.get('serial_number'))}"

    def get_import_fields(self):
        skip = {"owner", "location", "location_customer"}
        return [field for field in super().get_import_fields() if field.column_name not in skip]

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        owner_id = instance.owner_id
        if "owner" in self.present:
            owner_id = None
            if not blank(row.get("owner")):
                try:
                    owner_id = self.index.refer(row.get("owner")).pk
                except ValueError as error:
                    errors.setdefault("owner", []).append(str(error))
            instance.owner_id = owner_id
        if "location" in self.present:
            instance.location_id = None
            place = as_text(row.get("location"))
            if place:
                where = row.get("location_customer")
                try:
                    customer_id = self.index.refer(where).pk if not blank(where) else owner_id
                except ValueError as error:
                    errors.setdefault("location_customer", []).append(str(error))
                    customer_id = None
                if customer_id is None and "location_customer" not in errors:
                    errors.setdefault("location", []).append(
                        "Say whose site it is: fill in owner or location_customer."
                    )
                elif customer_id is not None:
                    found = self.locations.get((customer_id, place.lower()))
                    if found is None:
                        errors.setdefault("location", []).append(
                            f"That customer has no location called “{place}”."
                        )
                    instance.location_id = found
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        instance.serial_number = normalise_serial(instance.serial_number)
        super().before_save_instance(instance, row, **kwargs)


RESOURCES: dict[str, type[ImportResource]] = {
    "customers": CustomerResource,
    "locations": LocationResource,
    "assets": AssetResource,
}


def normalise_header(text) -> str:
    text = as_text(text).replace("\ufeff", "").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def header_aliases(resource_class: type[ImportResource]) -> dict[str, str]:
    """Column names the file may use: the field name, its label, the model's verbose name (as
    the list's export writes it)."""
    model_meta = resource_class._meta.model._meta
    aliases: dict[str, str] = {}
    for column in resource_class.columns:
        names = [column.name, column.label]
        with contextlib.suppress(FieldDoesNotExist):  # e.g. location_customer
            names.append(str(model_meta.get_field(column.name).verbose_name))
        for name in names:
            aliases.setdefault(normalise_header(name), column.name)
    return aliases


@dataclass
class HeaderMap:
    columns: list[str | None]  # per file column: the resource column it feeds, or None
    ignored: list[str]
    missing: list[Column]
    duplicated: list[str]


def map_headers(resource_class: type[ImportResource], headers: list) -> HeaderMap:
    aliases = header_aliases(resource_class)
    columns: list[str | None] = []
    ignored, duplicated, seen = [], [], set()
    for header in headers:
        name = aliases.get(normalise_header(header))
        if name is None:
            if as_text(header):
                ignored.append(as_text(header))
            columns.append(None)
        elif name in seen:
            duplicated.append(as_text(header))
            columns.append(None)
        else:
            seen.add(name)
            columns.append(name)
    missing = [column for column in resource_class.required_columns() if column.name not in seen]
    return HeaderMap(columns, ignored, missing, duplicated)
