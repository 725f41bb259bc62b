"""Bulk writes of an import, each one statement per batch with one array parameter per column.

Django's ``bulk_create``/``bulk_update`` and simple-history's ``bulk_*_with_history`` prepare
every column of every row in Python (an update builds a CASE WHEN per row and column), and the
history helpers do it a second time for the historical copy: for 100,000 customers that was
most of an import's time. Here a column whose value is the same on every row (the defaults a
new record gets) is prepared once, an update sends only the columns the file has, and the
history records are copied by the database from the rows just written — so they hold exactly
what was saved — with the same user, reason and date the helpers would write."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Model
from simple_history.utils import get_history_manager_for_model

HISTORY_COLUMNS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def array_type(field) -> str:
    target = field.target_field if field.is_relation else field
    db_type = target.rel_db_type(connection) if field.is_relation else field.db_type(connection)
    return db_type.split("(")[0]


def insert_new(model: type[Model], objs: Sequence[Model], *, now: datetime.datetime) -> None:
    """INSERT new records and set their primary keys. ``auto_now``/``auto_now_add`` fields
    get ``now``; a column equal on every row is sent once instead of once per row."""
    if not objs:
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
    columns, selects, params, varying_types = [], [], [], []
    arrays = []
    for field in fields:
        first = getattr(objs[0], field.attname)
        columns.append(quote(field.column))
        db_type = array_type(field)
        if all(getattr(obj, field.attname) == first for obj in objs):
            selects.append(f"%s::{db_type}")
            params.append(field.get_db_prep_save(first, connection))
        else:
            selects.append(f"v.c{len(arrays)}")
            varying_types.append(db_type)
            arrays.append(
                [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs]
            )
    unnest = ", ".join(f"%s::{db_type}[]" for db_type in varying_types)
    aliases = ", ".join(f"c{index}" for index in range(len(arrays)))
    pk = meta.pk
    # Scalars come first in the SELECT list, so their parameters are bound after the arrays'.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM unnest({unnest}) AS v({aliases}) "
        f"RETURNING {quote(pk.column)}"
    )
    if not arrays:  # every row alike: still one row each
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(selects)} FROM generate_series(1, %s) "
            f"RETURNING {quote(pk.column)}"
        )
        ordered = [*params, len(objs)]
    else:
        ordered = [*params, *arrays]
    with connection.cursor() as cursor:
        cursor.execute(sql, ordered)
        for obj, (pk_value,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, pk_value)
            obj._state.adding = False


def update_rows(model: type[Model], objs: Sequence[Model], field_names: Iterable[str]) -> None:
    """UPDATE the given fields of existing records, one statement for all of them."""
    if not objs:
        return
    meta = model._meta
    pk = meta.pk
    fields = [meta.get_field(name) for name in field_names]
    arrays = [[pk.get_db_prep_value(obj.pk, connection) for obj in objs]]
    types = [array_type(pk)]
    for field in fields:
        arrays.append(
            [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs]
        )
        types.append(array_type(field))
    sets = ", ".join(f"{quote(field.column)} = v.c{index}" for index, field in enumerate(fields, 1))
    unnest = ", ".join(f"%s::{db_type}[]" for db_type in types)
    aliases = ", ".join(f"c{index}" for index in range(len(arrays)))
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {sets} FROM unnest({unnest}) AS v({aliases}) "
        f"WHERE t.{quote(pk.column)} = v.c0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)


def record_history(
    model: type[Model],
    pks: Sequence[int],
    *,
    history_type: str,
    user_id: int | None,
    reason: str,
    date: datetime.datetime,
) -> None:
    """One history record per written row, copied from the row as stored."""
    if not pks:
        return
    history_model = get_history_manager_for_model(model).model
    tracked = {field.name: field for field in history_model.tracked_fields}
    target, source = [], []
    for field in history_model._meta.concrete_fields:
        if field.name in HISTORY_COLUMNS:
            continue
        original = tracked.get(field.name)
        if original is None:
            raise ValueError(f"Unexpected history column {field.name}")  # a new custom field
        target.append(quote(field.column))
        source.append(quote(original.column))
    target += [quote(name) for name in ("history_date", "history_change_reason", "history_type")]
    target.append(quote(history_model._meta.get_field("history_user").column))
    pk = model._meta.pk
    sql = (
        f"INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(target)}) "
        f"SELECT {', '.join(source)}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(pk.column)} = ANY(%s::{array_type(pk)}[]) ORDER BY {quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [date, reason, history_type, user_id, list(pks)])


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY rows into a table of the current schema (lists and dicts are written as JSON)."""
    statement = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(value) if isinstance(value, list | dict) else value for value in row]
            )


def link_many(model: type[Model], field_name: str, pairs: Sequence[tuple[int, int]]) -> None:
    """Rows of a many-to-many field's join table, as (record id, related id) pairs, in one
    INSERT (a new record's roles, say)."""
    if not pairs:
        return
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    through.objects.bulk_create(
        [through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in pairs]
    )
