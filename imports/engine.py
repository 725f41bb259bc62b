"""The import engine shared by every kind: customer references, and the row loop.

Each row is matched to an existing record by its natural key, filled through widgets that give
field-level messages, validated with the model's own field rules, and saved in bulk with one
history record per row. Lookups are preloaded in bulk (the whole file's before the first row,
each chunk's records before the chunk), so validating a row costs no query."""

from __future__ import annotations

import contextlib
import datetime
import gc
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from import_export import fields, resources

from core.events import emit_events
from core.scope import scope_for
from customers.models import Customer

from .bulk import insert_new, record_history, update_rows
from .models import RowAction
from .parsing import FORMULA_STARTS, unneutralise
from .widgets import Column, TextWidget, as_text, is_hashable

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
PASSED_LIMIT = 10_000


# --- Customer references ---------------------------------------------------------------------


@dataclass
class CustomerKey:
    pk: int
    name: str
    external_id: str
    deleted_at: datetime.datetime | None
    parent_id: int | None = None


def import_reach(actor) -> frozenset[int] | None:
    """The customers an import by ``actor`` may refer to and change: all (``None``) unless
    the actor is a staff user limited to assigned customers (then theirs, sub-accounts
    included). The view already required the right to import."""
    if actor is None:
        return None
    scope = scope_for(actor)
    return scope.customer_ids if scope.is_limited else None


class CustomerIndex:
    """Every customer's id, name, external ID and deletion date, read in one query, so rows
    refer to customers by external ID or name without a query each. With ``reach`` (a
    limited importer's customers) rows may refer only to those: any other customer is
    unknown, with the same message as one that does not exist."""

    def __init__(self, reach: frozenset[int] | None = None):
        self.reach = reach
        self.by_external_id: dict[str, CustomerKey] = {}
        self.by_name: dict[str, list[CustomerKey]] = {}
        self.by_pk: dict[int, CustomerKey] = {}
        rows = Customer.objects.order_by().values_list(
            "pk", "name", "external_id", "deleted_at", "parent_id"
        )
        for pk, name, external_id, deleted_at, parent_id in rows:
            key = CustomerKey(pk, name, external_id, deleted_at, parent_id)
            self.by_pk[pk] = key
            if external_id:
                self.by_external_id[external_id.lower()] = key
            self.by_name.setdefault(name.strip().lower(), []).append(key)

    def reaches(self, key: CustomerKey) -> bool:
        return self.reach is None or key.pk in self.reach

    def refer(self, text: str) -> CustomerKey:
        """The customer a cell names (external ID first, then name); ValueError otherwise."""
        text = as_text(text)
        found = self.by_external_id.get(text.lower())
        if found is not None and not self.reaches(found):
            found = None
        if found is None:
            named = [key for key in self.by_name.get(text.lower(), []) if self.reaches(key)]
            live = [key for key in named if key.deleted_at is None]
            if len(live) > 1:
                raise ValueError(
                    f"{len(live)} customers are called “{text}”; use the customer's external ID."
                )
            found = live[0] if live else (named[0] if named else None)
        if found is None:
            raise ValueError(self.unknown(text))
        if found.deleted_at is not None:
            raise ValueError(f"Customer “{found.name}” has been deleted; restore it first.")
        return found

    def unknown(self, text: str) -> str:
        """What a row is told about a customer it cannot refer to (missing or out of reach)."""
        if self.reach is None:
            return f"No customer has the external ID or name “{text}”."
        return f"No customer you can reach has the external ID or name “{text}”."


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
    instances are kept —, the count per action, errors about the whole file, and once
    written the id of each new or changed record by line (the results page links them)."""

    rows: list[tuple[int, str, str, list]] = field(default_factory=list)
    ids: dict[int, int] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    base_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.counts[RowAction.ERROR] or self.base_errors)


@contextlib.contextmanager
def collecting_later():
    """No cyclic garbage collection while rows are processed: each pass would walk every
    cell of the file and every outcome so far (hundreds of thousands of objects), and rows
    create no reference cycles worth collecting early."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    # Whether the model keeps history records (written for every created or changed row).
    keeps_history = True
    # Webhook events "<prefix>.created" / "<prefix>.updated" for written rows ("": none).
    webhook_prefix = ""
    # Model fields the resource resolves itself (no per-row existence query in full_clean),
    # and those its widgets already validate (a country field's own check walks all 250
    # countries per value: 2.5 ms a row).
    resolved_fields: frozenset[str] = frozenset()
    # Columns the import reads but the record has no field for (not in the full export).
    import_only: frozenset[str] = frozenset()
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
        # The customers rows may refer to and change (None: all); see import_reach.
        self.reach = import_reach(actor)
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
        with collecting_later():
            return self.run_rows(sheet, result, dry_run=dry_run)

    def run_rows(self, sheet: Sheet, result: ImportResult, *, dry_run: bool) -> ImportResult:
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
            reason = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            result.base_errors.append(f"the database refused a write ({reason})")
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
        self.field_names = {f.attname: f.name for f in meta.concrete_fields}
        self.compared = [
            (name, self.fields[name].attribute)
            for name in self.column_names()
            if name in self.present and self.fields[name].attribute
        ]

    def process(self, sheet: Sheet, result: ImportResult, *, dry_run: bool) -> None:
        headers = sheet.headers
        all_rows = sheet.rows
        self.preload(dict(zip(headers, values, strict=False)) for values in all_rows)
        self.written = []  # (line, instance) of the chunk's new and changed records
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
                result.ids.update((line, instance.pk) for line, instance in self.written)
            self.creates, self.updates, self.existing, self.written = [], [], {}, []
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
            self.accepted(instance, row)
            same = before is not None and before == [
                getattr(instance, attribute) for _, attribute in self.compared
            ]
            if same and not self.side_writes(instance, row):
                return (self.line, RowAction.UNCHANGED, self.describe(instance, row)[:255], [])
            if not dry_run:
                self.before_save_instance(instance, row)
                if new:
                    self.creates.append(instance)
                elif not same:
                    self.updates.append((instance, self.changes(before, instance)))
                self.written.append((self.line, instance))
            action = RowAction.NEW if new else RowAction.UPDATE
            notes = self.notes_for_new(instance, row) if new else []
            return (self.line, action, self.describe(instance, row)[:255], notes)
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

    def side_writes(self, instance, row: dict) -> bool:
        """Whether an accepted row writes more than its record's fields (a customer row's new
        contacts), so that it is not unchanged when its fields are."""
        return False

    def notes_for_new(self, instance, row: dict) -> list[list[str]]:
        """``[[column, message], …]`` to show on a new row that is not an error (a likely
        duplicate): the row is still imported. Costs no query (see a resource's ``load``)."""
        return []

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
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
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
            if column in self.present and attribute and attribute not in self.fixed_attributes:
                name = meta.get_field(attribute).name if attribute.endswith("_id") else attribute
                if name not in names:
                    names.append(name)
        return [*names, "updated_at", "search_text", *self.extra_update_fields]

    extra_update_fields: tuple[str, ...] = ()
    # Attributes an update never changes (part of the key).
    fixed_attributes: frozenset[str] = frozenset()

    def changes(self, before: list, instance) -> list[dict]:
        """A changed row's field-by-field changes, as webhooks carry them."""
        return [
            {"field": self.field_names.get(attribute, attribute), "old": old, "new": new}
            for (_column, attribute), old in zip(self.compared, before, strict=True)
            if (new := getattr(instance, attribute)) != old
        ]

    def flush(self) -> None:
        """Write the chunk's new and changed records, each with its history record, and queue
        the webhook events for them (sent once the import commits)."""
        model = self._meta.model
        updated = [instance for instance, _changes in self.updates]
        if self.creates:
            insert_new(model, self.creates, now=self.now)
            self.write_history(self.creates, "+")
        if updated:
            update_rows(model, updated, self.update_fields())
            self.write_history(updated, "~")
        if self.webhook_prefix:
            emit_events(f"{self.webhook_prefix}.created", [(obj, []) for obj in self.creates])
            emit_events(f"{self.webhook_prefix}.updated", self.updates)

    def write_history(self, instances: list, history_type: str) -> None:
        if not self.keeps_history:
            return
        record_history(
            self._meta.model,
            [instance.pk for instance in instances],
            history_type=history_type,
            user_id=self.actor.pk if self.actor is not None else None,
            reason=self.reason,
            date=self.now,
        )

    def find(self, row):
        raise NotImplementedError

    def accepted(self, instance, row: dict) -> None:
        """A row passed every check (later rows may depend on what it will write)."""

    def describe(self, instance, row: dict) -> str:
        """How a valid row names its record on the results page."""
        return str(instance)

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
