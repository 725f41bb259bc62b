"""Pages of a list: numbered pages (OFFSET) for the first few, keyset (seek) pages beyond.

Page 1,000 of 100,000 customers with OFFSET reads and throws away 25,000 rows first. A
keyset page starts where the page before ended: ``WHERE (name, id) > (:last_name, :last_id)
ORDER BY name, id LIMIT 26``, one index range scan whatever the depth. The first
``NUMBERED_PAGES`` pages keep their numbers (links 1..10, a bookmarkable ``?page=3``); past
them, Next and Previous carry a signed ``cursor`` naming the row to start after (or before)
and the page's number for the "Page n of m" line. Every ordering gets the primary key as its
last key, so rows that tie on the sort key never repeat or go missing between pages.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.core import signing
from django.core.exceptions import FieldError, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.functional import cached_property
from django_countries.fields import Country
from django_tables2.rows import BoundRows

from core.tokens import position_dumps, position_loads

# Pages reachable by number; further pages only through a cursor (Next, Previous, Last).
NUMBERED_PAGES = 10


class Key:
    """One key of a list's ordering: a field path, its direction, whether it may be NULL."""

    def __init__(self, path: str, descending: bool, nullable: bool):
        self.path, self.descending, self.nullable = path, descending, nullable

    def __repr__(self) -> str:
        return ("-" if self.descending else "") + self.path

    def flipped(self) -> Key:
        return Key(self.path, not self.descending, self.nullable)

    def order_by(self) -> str:
        # PostgreSQL's defaults (ASC NULLS LAST, DESC NULLS FIRST) are what seek() assumes.
        return f"-{self.path}" if self.descending else self.path


def _field_of(queryset: QuerySet, path: str):
    """The model field (or annotation) ``path`` names, following relations; ``None`` when
    it names a relation itself (ordering by one orders by the related model's ordering)."""
    if path in queryset.query.annotations:
        return queryset.query.annotations[path].output_field
    model = queryset.model
    parts = path.split("__")
    field = None
    for index, part in enumerate(parts):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if index < len(parts) - 1:
            if not field.is_relation or field.related_model is None:
                raise FieldError(f"{path} does not lead to a field")
            model = field.related_model
    if field.is_relation and parts[-1] not in (field.attname, "pk"):
        return None
    return field


def _path_nullable(model, path: str) -> bool:
    """Whether ``path`` (``customer__name``) can be NULL in a row: a nullable field on the
    way, or something that is not a model field (an annotation: assume it can)."""
    parts = path.split("__")
    for index, part in enumerate(parts):
        if part == "pk":
            field = model._meta.pk
        else:
            try:
                field = model._meta.get_field(part)
            except Exception:
                return True
        if getattr(field, "null", False):
            return True
        if index < len(parts) - 1:
            if not field.is_relation or field.related_model is None:
                return True
            model = field.related_model
    return False


def ordering_keys(queryset: QuerySet) -> list[Key] | None:
    """The queryset's ordering as keys ending with the primary key, or ``None`` when it cannot
    be sought (random order, expressions other than plain fields, extra())."""
    query = queryset.query
    if query.extra_order_by or query.distinct_fields:
        return None
    ordering = list(query.order_by) or (
        list(queryset.model._meta.ordering) if query.default_ordering else []
    )
    keys: list[Key] = []
    for item in ordering:
        if isinstance(item, OrderBy) and isinstance(item.expression, F):
            if item.nulls_first or item.nulls_last:
                return None
            path, descending = item.expression.name, item.descending
        elif isinstance(item, str) and item not in ("?", "") and "." not in item:
            path, descending = item.lstrip("-"), item.startswith("-")
        else:
            return None
        if path == queryset.model._meta.pk.attname:
            path = "pk"
        try:
            if _field_of(queryset, path) is None:
                return None
        except (FieldError, LookupError, AttributeError):
            return None
        if any(key.path == path for key in keys):
            continue
        keys.append(Key(path, descending, _path_nullable(queryset.model, path)))
        if path == "pk":
            return keys  # unique: what follows never decides anything
    keys.append(Key("pk", keys[-1].descending if keys else False, False))
    return keys


def _encode(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return str(value)


def _after(keys: list[Key], values: list) -> Q:
    """Rows strictly after ``values`` in the order of ``keys`` (PostgreSQL's NULL placement:
    last when ascending, first when descending). Keys that share one direction and cannot be
    NULL become one row comparison, ``(a, b) > (x, y)``, which an index on (a, b) answers
    with a range scan; others become the equivalent OR of ANDs."""
    first, start = keys[0], values[0]
    # The first key's bound again on its own: an index on that key (or on a joined table's
    # column, where a row comparison across tables is no index condition) starts there.
    bound = (
        Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": start})
        if start is not None and not first.nullable
        else Q()
    )
    if len({key.descending for key in keys}) == 1 and not any(key.nullable for key in keys):
        columns = Tuple(*(F(key.path) for key in keys))
        lookup = TupleLessThan if keys[0].descending else TupleGreaterThan
        return bound & Q(lookup(columns, list(values)))
    return bound & _after_by_parts(keys, values)


def _after_by_parts(keys: list[Key], values: list) -> Q:
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        condition |= equal & _strictly_after(key, value)
        equal &= Q(**{f"{key.path}__isnull": True}) if value is None else Q(**{key.path: value})
    return condition


def _strictly_after(key: Key, value) -> Q:
    if value is None:
        # NULLs come last ascending (nothing after them), first descending (all else after).
        return Q(pk__in=[]) if not key.descending else Q(**{f"{key.path}__isnull": False})
    beyond = Q(**{f"{key.path}__{'lt' if key.descending else 'gt'}": value})
    if key.nullable and not key.descending:
        beyond |= Q(**{f"{key.path}__isnull": True})
    return beyond


class Cursor:
    """Where a keyset page starts: after (``next``) or before (``previous``) a row's keys, or
    at the end (``last``); with the page's number and the ordering it was made for."""

    def __init__(self, direction: str, values: list | None, number: int, ordering: str):
        self.direction, self.values, self.number, self.ordering = (
            direction,
            values,
            number,
            ordering,
        )

    def dumps(self) -> str:
        data = {"d": self.direction, "v": self.values, "n": self.number, "o": self.ordering}
        return position_dumps(data)

    @classmethod
    def loads(cls, text: str) -> Cursor | None:
        try:
            data = position_loads(text)
            cursor = cls(data["d"], data["v"], int(data["n"]), str(data["o"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return None
        if cursor.direction not in ("next", "previous", "last") or cursor.number < 1:
            return None
        return cursor


def ordering_signature(keys: list[Key]) -> str:
    return ",".join(map(repr, keys))


class KeysetPage:
    """One keyset page, shaped like a Django Page for the templates and views that read one
    (``object_list`` of table rows, ``number``, ``has_next`` ...)."""

    def __init__(self, *, table, records, number, paginator, has_next, has_previous):
        self.object_list = BoundRows(data=records, table=table)
        self.records = records
        self.number = number
        self.paginator = paginator
        self._has_next, self._has_previous = has_next, has_previous

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self._has_previous

    def has_other_pages(self) -> bool:
        return self._has_next or self._has_previous

    def __len__(self) -> int:
        return len(self.records)


class Pager:
    """Paginates one table: numbered pages up to NUMBERED_PAGES, keyset pages beyond; builds
    the links the table's template prints (``table.page_links``)."""

    def __init__(self, table, request, *, page_param: str, cursor_param: str):
        self.table, self.request = table, request
        self.page_param, self.cursor_param = page_param, cursor_param
        data = getattr(table.data, "data", None)
        self.queryset = data if isinstance(data, QuerySet) else None
        self.keys = ordering_keys(self.queryset) if self.queryset is not None else None
        if self.keys:
            # The numbered pages use the same total order as the keyset pages.
            self.queryset = self.queryset.order_by(*(key.order_by() for key in self.keys))
            table.data.data = self.queryset

    @cached_property
    def signature(self) -> str:
        return ordering_signature(self.keys)

    def paginate(self, paginator_class, per_page: int) -> None:
        table = self.table
        table.paginate(paginator_class=paginator_class, per_page=per_page, page=1)
        cursor = self.keys and Cursor.loads(self.request.GET.get(self.cursor_param) or "")
        if cursor and cursor.ordering == self.signature and self._seek(cursor, per_page):
            return
        try:
            number = int(self.request.GET.get(self.page_param) or 1)
        except (TypeError, ValueError):
            number = 1
        if self.keys:
            number = min(number, NUMBERED_PAGES)  # deeper pages only by cursor
        try:
            table.page = table.paginator.page(number)
        except PageNotAnInteger:
            table.page = table.paginator.page(1)
        except EmptyPage:
            table.page = table.paginator.page(table.paginator.num_pages if number > 1 else 1)
        table.page_links = self.links()

    def _seek(self, cursor: Cursor, per_page: int) -> bool:
        keys = self.keys
        backward = cursor.direction in ("previous", "last")
        order = [key.flipped() if backward else key for key in keys]
        queryset = self.queryset.order_by(*(key.order_by() for key in order))
        if cursor.direction != "last":
            try:
                values = self._typed(cursor.values)
                queryset = queryset.filter(_after(order, values))
            except (FieldError, ValidationError, TypeError, ValueError, decimal.InvalidOperation):
                return False
        records = list(queryset[: per_page + 1])
        more = len(records) > per_page
        records = records[:per_page]
        if backward:
            records.reverse()
        number = cursor.number
        paginator = self.table.paginator
        if cursor.direction == "last" and not getattr(paginator, "is_capped", False):
            number = max(paginator.num_pages, NUMBERED_PAGES + 1)
        if backward and not more:
            number = 1  # ran into the start: this is the first page after all
        self.table.page = KeysetPage(
            table=self.table,
            records=records,
            number=number,
            paginator=self.table.paginator,
            has_next=cursor.direction == "previous" if backward else more,
            has_previous=more if backward else True,
        )
        if not records:  # nothing there any more: the first page instead
            return False
        self.table.page_links = self.links()
        return True

    def _typed(self, values) -> list:
        """The cursor's values as the database compares them (dates from ISO text...)."""
        if not isinstance(values, list) or len(values) != len(self.keys):
            raise ValueError("cursor does not match the ordering")
        typed = []
        for key, value in zip(self.keys, values, strict=True):
            if value is None:
                typed.append(None)
                continue
            field = _field_of(self.queryset, key.path)
            if getattr(field, "is_relation", False):  # customer_id: the related key's type
                field = field.target_field
            typed.append(field.to_python(value))
        return typed

    def _row_values(self, record) -> list:
        values = []
        for key in self.keys:
            value = record
            for part in key.path.split("__"):
                value = getattr(value, part) if value is not None else None
            if isinstance(value, Country):
                value = value.code
            values.append(_encode(value))
        return values

    def _url(self, **changes) -> str:
        query = self.request.GET.copy()
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None:
                query[name] = value
        return "?" + query.urlencode() if query else "?"

    def _cursor_url(self, direction: str, record, number: int) -> str:
        values = self._row_values(record) if record is not None else None
        cursor = Cursor(direction, values, number, self.signature)
        return self._url(**{self.page_param: None, self.cursor_param: cursor.dumps()})

    def _number_url(self, number: int) -> str:
        return self._url(**{self.page_param: str(number), self.cursor_param: None})

    def links(self) -> dict:
        """Previous / numbers / Next / Last for the template; URLs keep the other parameters."""
        page, paginator = self.table.page, self.table.paginator
        number = page.number
        records = page.records if isinstance(page, KeysetPage) else list(page.object_list.data)
        keyset = bool(self.keys)
        count_known = not getattr(paginator, "is_capped", False)
        last_number = paginator.num_pages if count_known else None
        numbered = range(1, min(NUMBERED_PAGES, paginator.num_pages) + 1)
        links = {
            "numbers": [(n, self._number_url(n), n == number) for n in numbered],
            "current": number,
            "last_number": last_number,
            "previous": None,
            "next": None,
            "last": None,
            "beyond": number > NUMBERED_PAGES,
        }
        if page.has_previous():
            if number - 1 <= NUMBERED_PAGES or not keyset:
                links["previous"] = self._number_url(number - 1)
            elif records:
                links["previous"] = self._cursor_url("previous", records[0], number - 1)
        if page.has_next() and records:
            if number + 1 <= NUMBERED_PAGES or not keyset:
                links["next"] = self._number_url(number + 1)
            else:
                links["next"] = self._cursor_url("next", records[-1], number + 1)
        if keyset and count_known and paginator.num_pages > NUMBERED_PAGES and page.has_next():
            links["last"] = self._cursor_url("last", None, last_number)
        return links


def paginate(table, request, *, paginator_class, per_page: int, page_param: str) -> None:
    prefix = page_param[: -len("page")] if page_param.endswith("page") else ""
    Pager(table, request, page_param=page_param, cursor_param=f"{prefix}cursor").paginate(
        paginator_class, per_page
    )
