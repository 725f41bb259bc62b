"""Personal data: which fields of which models hold it, how a person's rows are found, and
the set-based erasure every path shares (a customer's purge, a person's erasure on request).

Core imports no app. Each app declares its models in its own ``privacy.py``, found by
``autodiscover_modules("privacy")`` the first time the registry is read::

    register(
        Contact,
        customer="customer_id",
        people=[Person("contact", ("name", "email", "phone"),
                       email="email", name=("name",), phone="phone")],
        record=("internal_notes", ...),
        not_personal={"title": "the job title alone names nobody"},
    )

- ``people``: the fields about one person, erased together (emptied, or NULL). A person is
  found by an email column (case-insensitive), a user-id column, or through the row's
  customer (``customer=``, at purge). ``keep_where`` names rows the law requires to keep as
  they are (issued invoices).
- ``text``: free text or JSON that may mention anyone: the person's email, name and phone
  are replaced inside by ``[erased]``. Every history table's change reason is such a field.
- ``record``: what describes a customer's record (notes, addresses): emptied in the history
  of a purged customer's rows; on request, treated like ``text``.
- ``derived``: computed from the fields above (a search haystack): replaced like ``text``,
  never exported.
- ``not_personal``: fields whose name looks personal but are not, each with the reason.
- ``secret``: never exported (password hashes, token hashes).
- ``delete``: rows that are nothing but the person or their live account (allauth's email
  addresses, second factors, join requests) are deleted with them instead of overwritten
  (``deletable()``: through Django, so what depends on them goes too).

Every registered model's django-simple-history twin (``Historical*``) is erased with it: the
history rows stay, with their dates, change types and actors, but without the person.

The writes are plain SQL on tables this module knows only from the registry: one UPDATE per
table and person (or text column), never a loop over rows. ``tests/core/test_privacy_registry.py``
fails when a model has a personal-looking field that is neither registered nor declared
not personal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import Q
from django_tenants.utils import get_public_schema_name

ERASED = "[erased]"
# Shorter strings (initials, "Al") are not replaced inside free text: too many false hits.
MIN_MENTION_LENGTH = 4


@dataclass(frozen=True)
class Person:
    """The fields of a row about one person, and how that person is found."""

    label: str
    fields: tuple[str, ...]
    email: str = ""  # the column holding their email address
    user: str = ""  # the column holding their user id ("id" on the user table itself)
    name: tuple[str, ...] = ()  # the fields that together are their name
    phone: str = ""
    # A sign-in account's data (user, sign-ins, tokens): a purge finds these by the company's
    # users' ids and emails; other people's fields are found only through the customer.
    account: bool = False
    # Rows kept as they are (SQL on the row), e.g. issued invoices: retention law wins.
    keep_where: str = ""
    keep_reason: str = ""


@dataclass(frozen=True)
class Entry:
    model: type[models.Model]
    people: tuple[Person, ...] = ()
    text: tuple[str, ...] = ()
    record: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()  # computed from other fields: replaced like text, not exported
    not_personal: Mapping[str, str] = field(default_factory=dict)
    secret: tuple[str, ...] = ()
    customer: str = ""  # the column holding the customer id ("id" on the customer table)
    members: str = ""  # the column of the customer's users' ids (portal memberships)
    erase_as: Mapping[str, str] = field(default_factory=dict)  # field → SQL expression
    # A column counting saves: raised on a live row erased, so an edit form opened before
    # the erasure is refused instead of writing the person back.
    version: str = ""
    delete: bool = False

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def history(self) -> type[models.Model] | None:
        return history_model_of(self.model)

    def tables(self) -> list[type[models.Model]]:
        twin = self.history
        return [self.model] if twin is None or self.delete else [self.model, twin]

    def personal_fields(self) -> set[str]:
        return {name for person in self.people for name in person.fields}

    def declared(self) -> set[str]:
        return (
            self.personal_fields()
            | set(self.text)
            | set(self.record)
            | set(self.derived)
            | set(self.not_personal)
            | set(self.secret)
        )


_registry: dict[str, Entry] = {}


def register(model: type[models.Model], **declaration) -> Entry:
    declaration["people"] = tuple(declaration.get("people", ()))
    for key in ("text", "record", "derived", "secret"):
        declaration[key] = tuple(declaration.get(key, ()))
    entry = Entry(model=model, **declaration)
    for name in entry.declared():
        model._meta.get_field(name)  # a typo fails at start-up, naming the field
    for name, reason in entry.not_personal.items():
        if not reason.strip():
            raise ValueError(f"{entry.label}.{name}: say why it is not personal.")
    _registry[entry.label] = entry
    return entry


@cache
def _discover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("privacy")


def entries() -> list[Entry]:
    _discover()
    return list(_registry.values())


def entry_for(model: type[models.Model]) -> Entry | None:
    _discover()
    return _registry.get(model._meta.label)


def history_model_of(model: type[models.Model]) -> type[models.Model] | None:
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None


def history_tables() -> list[type[models.Model]]:
    """Every history table (registered or not): their change reasons are free text."""
    return [
        model
        for model in apps.get_models()
        if any(f.name == "history_change_reason" for f in model._meta.concrete_fields)
    ]


# --- Who is to be erased ---------------------------------------------------------------


@dataclass
class Targets:
    """Whose data: people by email and user id, a purged customer's rows by its id (and the
    ids of its live rows found before the delete unlinked or removed them)."""

    emails: set[str] = field(default_factory=set)
    user_ids: set[int] = field(default_factory=set)
    customer_ids: set[int] = field(default_factory=set)
    row_ids: dict[str, set[int]] = field(default_factory=dict)
    accounts_only: bool = False  # purge: an email finds only sign-in accounts' data

    def __bool__(self) -> bool:
        return bool(self.emails or self.user_ids or self.customer_ids)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model, name: str) -> str | None:
    try:
        return _q(model._meta.get_field(name).column)
    except FieldDoesNotExist:  # the history twin leaves some fields out
        return None


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _execute(model, sql: str, params: list) -> set:
    """Run an UPDATE or DELETE on ``model``'s table; the primary keys of the rows it hit."""
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {_q(model._meta.pk.column)}", params)
        return {row[0] for row in cursor.fetchall()}


def _whole_row_where(entry: Entry, model, targets: Targets) -> tuple[list[str], list]:
    """Rows that belong to a purged customer: all their people are erased."""
    parts, params = [], []
    column = _column(model, entry.customer) if entry.customer else None
    if column and targets.customer_ids:
        parts.append(f"{column} = ANY(%s)")
        params.append(sorted(targets.customer_ids))
    ids = targets.row_ids.get(entry.label)
    if ids:
        parts.append(f"{_q(entry.model._meta.pk.column)} = ANY(%s)")
        params.append(sorted(ids))
    return parts, params


def _person_where(entry: Entry, model, person: Person, targets: Targets) -> tuple[str, list]:
    parts, params = _whole_row_where(entry, model, targets)
    email = _column(model, person.email) if person.email else None
    if email and targets.emails and (person.account or not targets.accounts_only):
        parts.append(f"lower({email}) = ANY(%s)")
        params.append(sorted(targets.emails))
    user = _column(model, person.user) if person.user else None
    if user and targets.user_ids:
        parts.append(f"{user} = ANY(%s)")
        params.append(sorted(targets.user_ids))
    return (" OR ".join(f"({p})" for p in parts), params) if parts else ("", [])


def customer_targets(customer_id: int) -> Targets:
    """A customer about to be purged: its rows, and its users (live ones, and those its
    history names who no longer have an account here). Read before anything is deleted."""
    targets = Targets(customer_ids={customer_id}, accounts_only=True)
    for entry in entries():
        if not entry.customer or entry.delete:
            continue
        column = _column(entry.model, entry.customer)
        table, pk = _q(entry.model._meta.db_table), _q(entry.model._meta.pk.column)
        rows = _fetch(f"SELECT {pk} FROM {table} WHERE {column} = %s", [customer_id])
        targets.row_ids[entry.label] = {row[0] for row in rows}
        if entry.members:
            targets.user_ids |= _members(entry, customer_id)
    targets.emails = _emails_of_users(targets.user_ids)
    return targets


def _members(entry: Entry, customer_id: int) -> set[int]:
    live, member = _q(entry.model._meta.db_table), _column(entry.model, entry.members)
    customer = _column(entry.model, entry.customer)
    ids = {
        r[0] for r in _fetch(f"SELECT {member} FROM {live} WHERE {customer} = %s", [customer_id])
    }
    twin = entry.history
    if twin is not None:
        past = _q(twin._meta.db_table)
        ids |= {
            r[0]
            for r in _fetch(
                f"SELECT DISTINCT {member} FROM {past} WHERE {customer} = %s "
                f"AND {member} NOT IN (SELECT {member} FROM {live} WHERE {member} IS NOT NULL)",
                [customer_id],
            )
            if r[0] is not None
        }
    return ids


def _emails_of_users(user_ids: set[int]) -> set[str]:
    emails: set[str] = set()
    if not user_ids:
        return emails
    for entry in entries():
        for person in entry.people:
            if not (person.account and person.email and person.user):
                continue
            for model in entry.tables():
                email, user = _column(model, person.email), _column(model, person.user)
                if email and user:
                    sql = f"SELECT DISTINCT lower({email}) FROM {_q(model._meta.db_table)} "
                    rows = _fetch(sql + f"WHERE {user} = ANY(%s)", [sorted(user_ids)])
                    emails |= {r[0] for r in rows if r[0]}
    return emails


def person_targets(email: str) -> Targets:
    """Everyone known by ``email``: the address itself and the accounts that had it."""
    email = (email or "").strip().lower()
    targets = Targets(emails={email} if email else set())
    if not email:
        return targets
    for entry in entries():
        for person in entry.people:
            if not (person.account and person.email and person.user):
                continue
            for model in entry.tables():
                email_col, user = _column(model, person.email), _column(model, person.user)
                if email_col and user:
                    sql = f"SELECT DISTINCT {user} FROM {_q(model._meta.db_table)} "
                    rows = _fetch(sql + f"WHERE lower({email_col}) = %s", [email])
                    targets.user_ids |= {r[0] for r in rows if r[0] is not None}
    return targets


# --- What is known about them (export) -------------------------------------------------


def mentions_pattern(strings: Iterable[str], *, json_text: bool = False) -> str:
    """A case-insensitive PostgreSQL regular expression matching any of ``strings`` as a
    whole word (not "Ann Lee" inside "Joann Leeds")."""
    alternatives = []
    for value in sorted({s.strip() for s in strings if len(s.strip()) >= MIN_MENTION_LENGTH}):
        if json_text:
            value = json.dumps(value, ensure_ascii=False)[1:-1]
        alternatives.append(re.sub(r"([^\w@])", r"\\\1", value))
    if not alternatives:
        return ""
    return "(?<![[:alnum:]_])(" + "|".join(alternatives) + ")(?![[:alnum:]_])"


def _is_json(model, name: str) -> bool:
    return isinstance(model._meta.get_field(name), models.JSONField)


def _is_bytes(model, name: str) -> bool:
    return isinstance(model._meta.get_field(name), models.BinaryField)


def _text_fields(entry: Entry | None, model, *, derived: bool = True) -> list[str]:
    names = list(entry.text) + list(entry.record) if entry else []
    if entry and derived:
        names += list(entry.derived)
    if any(f.name == "history_change_reason" for f in model._meta.concrete_fields):
        names.append("history_change_reason")
    present = {f.name for f in model._meta.concrete_fields}
    return [name for name in names if name in present]


def person_rows(targets: Targets, strings: Iterable[str] = ()) -> dict[str, list[dict]]:
    """Every row (and history row) about the targets, by model label: the matched people's
    fields and what is not personal; free text only where it mentions them; no secrets and
    nothing of another person the row also names."""
    strings = set(strings) | targets.emails
    found: dict[str, list[dict]] = {}
    for entry in entries():
        for model in entry.tables():
            rows = _rows_of(entry, model, targets, strings)
            if rows:
                found[model._meta.label] = rows
    return found


def _rows_of(entry: Entry, model, targets: Targets, strings: set[str]) -> list[dict]:
    matches, params = [], []
    for person in entry.people:
        where, where_params = _person_where(entry, model, person, targets)
        matches.append(where or "false")
        params += where_params
    pattern = mentions_pattern(strings)
    texts = [n for n in _text_fields(entry, model, derived=False) if not _is_bytes(model, n)]
    for name in texts:
        column = _column(model, name) + ("::text" if _is_json(model, name) else "")
        matches.append(f"coalesce({column} ~* %s, false)" if pattern else "false")
        params += [pattern] if pattern else []
    if not matches:
        return []
    flags = ", ".join(f"({m}) AS m{i}" for i, m in enumerate(matches))
    table = _q(model._meta.db_table)
    sql = f"SELECT * FROM (SELECT t.*, {flags} FROM {table} t) x WHERE " + " OR ".join(
        f"m{i}" for i in range(len(matches))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col.name for col in cursor.description]
        raw = cursor.fetchall()
    withheld = entry.personal_fields() | set(entry.text) | set(entry.record) | set(entry.derived)
    withheld |= set(entry.secret)
    withheld.add("history_change_reason")
    columns = {f.column: f.name for f in model._meta.concrete_fields}
    result = []
    for values in raw:
        row = dict(zip(names, values, strict=True))
        shown = set()
        for i, person in enumerate(entry.people):
            if row[f"m{i}"]:
                shown |= set(person.fields)
        for j, name in enumerate(texts, start=len(entry.people)):
            if row[f"m{j}"]:
                shown.add(name)
        result.append(
            {
                columns[col]: value
                for col, value in row.items()
                if col in columns
                and (columns[col] not in withheld or columns[col] in shown)
                and columns[col] not in entry.secret
            }
        )
    return result


# --- Erasing -----------------------------------------------------------------------------


def _erased_value(entry: Entry, model, name: str) -> str:
    if name in entry.erase_as:
        return entry.erase_as[name]
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.JSONField):
        default = model_field.get_default()
        return "'[]'::jsonb" if isinstance(default, list) else "'{}'::jsonb"
    if isinstance(model_field, models.BinaryField):
        return "''::bytea"
    if isinstance(model_field, (models.CharField, models.TextField)) and not isinstance(
        model_field, models.GenericIPAddressField
    ):
        return "''"
    return "NULL"


def collect_mentions(targets: Targets) -> set[str]:
    """The people's emails, names and phones as the rows hold them: what free text may
    repeat. Read before the rows are erased."""
    strings, names = set(targets.emails), set()
    for entry in entries():
        for model in entry.tables():
            for person in entry.people:
                where, params = _person_where(entry, model, person, targets)
                if not where:
                    continue
                name_cols = [c for c in (_column(model, n) for n in person.name) if c]
                exprs = [f"concat_ws(' ', {', '.join(name_cols)})" if name_cols else "NULL"]
                for extra in (person.email, person.phone):
                    if extra and _column(model, extra):
                        exprs.append(f"{_column(model, extra)}::text")
                table = _q(model._meta.db_table)
                for name, *others in _fetch(
                    f"SELECT {', '.join(exprs)} FROM {table} WHERE {where}", params
                ):
                    names.add((name or "").strip())
                    strings |= {str(v).strip() for v in others if v}
    # A name is replaced inside free text only when it is a full name: a single word
    # ("Sales", "Ann") would erase other people's words.
    strings |= {name for name in names if len(name.split()) >= 2}
    phones = {s for s in strings if re.fullmatch(r"\+?[\d ()./-]{7,}", s)}
    strings |= {re.sub(r"\D", "", phone) for phone in phones}
    return {s for s in strings if len(s) >= MIN_MENTION_LENGTH}


def erase(targets: Targets, *, strings: Iterable[str] | None = None) -> dict[str, int]:
    """Overwrite the targets' personal fields in every registered table and its history, and
    replace their strings in free text everywhere. Returns the rows changed per model label."""
    if not targets:
        return {}
    strings = collect_mentions(targets) if strings is None else set(strings)
    changed: dict[str, set] = {}

    def note(model, keys: set) -> None:
        changed.setdefault(model._meta.label, set()).update(keys)

    for entry in entries():
        for model in entry.tables():
            note(model, _erase_people(entry, model, targets))
            note(model, _erase_record(entry, model, targets))
    for model in _text_tables():
        note(model, _replace_mentions(entry_for(model) or _twin_entry(model), model, strings))
    changed[QUEUE_LABEL] = _scrub_queue(strings)
    return {label: len(keys) for label, keys in sorted(changed.items()) if keys}


def deletable(targets: Targets) -> list[models.QuerySet]:
    """The rows of ``delete`` entries about the targets, as querysets: the erasure service
    deletes them through Django, which also deletes what depends on them (allauth's email
    confirmations). A purge does not need this: deleting its users and customer cascades."""
    querysets = []
    for entry in entries():
        if not entry.delete:
            continue
        condition = Q()
        for person in entry.people:
            if person.email and targets.emails and (person.account or not targets.accounts_only):
                for email in targets.emails:
                    condition |= Q(**{f"{person.email}__iexact": email})
            if person.user and targets.user_ids:
                condition |= Q(**{f"{person.user}__in": sorted(targets.user_ids)})
        if condition:
            querysets.append(entry.model._default_manager.filter(condition))
    return querysets


QUEUE_LABEL = "procrastinate.ProcrastinateJob"


def _scrub_queue(strings: set[str]) -> set:
    """The task queue (public schema) keeps every job's arguments after it ran, emails'
    recipients and bodies included. This tenant's jobs that mention the person: a waiting
    one is cancelled (no email to an erased person), every one but a running one loses the
    mention."""
    pattern = mentions_pattern(strings, json_text=True)
    if not pattern:
        return set()
    table = f"{_q(get_public_schema_name())}.{_q('procrastinate_jobs')}"
    mine = "args->>'schema_name' = %s AND args::text ~* %s"
    params = [connection.schema_name, pattern]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = 'cancelled' WHERE status = 'todo' AND {mine}", params
        )
        cursor.execute(
            f"UPDATE {table} SET args = regexp_replace(args::text, %s, %s, 'gi')::jsonb "
            f"WHERE status <> 'doing' AND {mine} RETURNING id",
            [pattern, ERASED, *params],
        )
        return {row[0] for row in cursor.fetchall()}


def _erase_people(entry: Entry, model, targets: Targets) -> set:
    table, changed = _q(model._meta.db_table), set()
    if entry.delete:
        return changed  # see deletable()
    for person in entry.people:
        where, params = _person_where(entry, model, person, targets)
        if not where:
            continue
        values = {
            _column(model, n): _erased_value(entry, model, n)
            for n in person.fields
            if _column(model, n)
        }
        if not values:
            continue
        assignments = ", ".join(f"{col} = {value}" for col, value in values.items())
        differs = " OR ".join(f"{col} IS DISTINCT FROM {value}" for col, value in values.items())
        if entry.version and model is entry.model:
            assignments += f", {_q(entry.version)} = {_q(entry.version)} + 1"
        keep = f" AND NOT ({person.keep_where})" if person.keep_where else ""
        sql = f"UPDATE {table} SET {assignments} WHERE ({where}) AND ({differs}){keep}"
        changed |= _execute(model, sql, params)
    return changed


def _erase_record(entry: Entry, model, targets: Targets) -> set:
    parts, params = _whole_row_where(entry, model, targets)
    values = {
        _column(model, n): _erased_value(entry, model, n) for n in entry.record if _column(model, n)
    }
    if not parts or not values or entry.delete:
        return set()
    assignments = ", ".join(f"{col} = {value}" for col, value in values.items())
    differs = " OR ".join(f"{col} IS DISTINCT FROM {value}" for col, value in values.items())
    where = " OR ".join(f"({p})" for p in parts)
    table = _q(model._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE ({where}) AND ({differs})"
    return _execute(model, sql, params)


def _text_tables() -> list[type[models.Model]]:
    tables = {model for entry in entries() for model in entry.tables()}
    tables |= set(history_tables())
    return sorted(tables, key=lambda model: model._meta.db_table)


def _twin_entry(model) -> Entry | None:
    """A history table's entry is its model's (the twin has the same fields)."""
    instance_type = getattr(model, "instance_type", None)
    return entry_for(instance_type) if instance_type is not None else None


def _replace_mentions(entry: Entry | None, model, strings: set[str]) -> set:
    pattern = mentions_pattern(strings)
    if not pattern:
        return set()
    table, changed = _q(model._meta.db_table), set()
    emails = sorted(s for s in strings if "@" in s)
    for name in _text_fields(entry, model):
        column = _column(model, name)
        if _is_bytes(model, name):
            for email in emails:
                sql = (
                    f"UPDATE {table} SET {column} = ''::bytea WHERE "
                    f"position(convert_to(%s, 'UTF8') in {column}) > 0 "
                    f"OR position(convert_to(%s, 'UTF8') in {column}) > 0"
                )
                changed |= _execute(model, sql, [email, email.upper()])
        elif _is_json(model, name):
            json_pattern = mentions_pattern(strings, json_text=True)
            sql = (
                f"UPDATE {table} SET {column} = regexp_replace({column}::text, %s, %s, 'gi')::jsonb "
                f"WHERE {column}::text ~* %s"
            )
            changed |= _execute(model, sql, [json_pattern, ERASED, json_pattern])
        else:
            sql = (
                f"UPDATE {table} SET {column} = regexp_replace({column}, %s, %s, 'gi') "
                f"WHERE {column} ~* %s"
            )
            changed |= _execute(model, sql, [pattern, ERASED, pattern])
    return changed
