"""One fuzz request and what it did: its status (an exception is a 500 with the traceback's
last lines), the tables it wrote to (PostgreSQL's per-transaction write counts, as the
isolation runner measures them), what it queued after commit, whether it was a refusal, and
what it stored. Every request runs in a savepoint that is rolled back, so the next one sees
the same world."""

from __future__ import annotations

import copy
import json
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.contrib.messages import ERROR
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import TestCase

from tests.isolation.world import write_counts

from .fuzz_payloads import SCRIPT, Payload

RAW_SCRIPT = SCRIPT.encode()


@dataclass
class Outcome:
    status: int
    error: str = ""  # the exception's last traceback lines, when the request raised
    changed: list[str] = field(default_factory=list)
    queued: int = 0
    refused: bool = False
    response: object = None

    @property
    def server_error(self) -> bool:
        return bool(self.error) or self.status >= 500


@contextmanager
def savepoint(world):
    """A savepoint of the fuzz's transaction, rolled back at the end whatever happened."""
    connection.set_tenant(world.alpha)
    point = transaction.atomic()
    point.__enter__()
    try:
        yield
    finally:
        transaction.set_rollback(True)
        point.__exit__(None, None, None)
        connection.set_schema_to_public()


@contextmanager
def cookies_kept(client):
    """The client's cookies as they were before: the database is rolled back after each
    request, so a sign-out or a rotated session must be undone in the cookie jar too."""
    saved = copy.deepcopy(client.cookies)
    try:
        yield
    finally:
        client.cookies = saved


def _tail(error: BaseException) -> str:
    """The exception and where it was raised: the innermost frame of ours (not of a
    library), then the innermost frame, in one line each."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        f for f in frames if "/site-packages/" not in f.filename and "<frozen" not in f.filename
    ]
    where = [f"{f.filename.split('/work/main/')[-1]}:{f.lineno} {f.name}" for f in ours[-1:]]
    if frames and (not ours or frames[-1] is not ours[-1]):
        last = frames[-1]
        where.append(f"{last.filename.split('/site-packages/')[-1]}:{last.lineno} {last.name}")
    message = f"{type(error).__name__}: {error}"
    if len(message) > 160:
        message = message[:160] + "…"
    return f"{message} (at {' ← '.join(reversed(where))})"


def send(world, request, *, api: bool = False) -> Outcome:
    """Run ``request()`` (a test client call) and measure it; call inside ``savepoint``."""
    schemas = [world.alpha.schema_name, "public"]
    connection.set_tenant(world.alpha)
    before = write_counts(*schemas)
    connection.set_schema_to_public()
    with TestCase.captureOnCommitCallbacks() as queued:
        try:
            response = request()
            if getattr(response, "streaming", False):  # an export runs its query as it streams
                response.fuzz_body = b"".join(response.streaming_content)
        except Exception as error:  # the test client re-raises a view's exception
            return Outcome(500, _tail(error))
    after = write_counts(*schemas)
    changed = sorted(t for t in after if before.get(t) != after[t])
    outcome = Outcome(response.status_code, changed=changed, queued=len(queued))
    outcome.response = response
    outcome.refused = is_refusal(response, api=api)
    return outcome


def is_refusal(response, *, api: bool) -> bool:
    """A 4xx; for pages also a form shown again with errors, or a redirect with an error
    message (an action view's "cannot do that")."""
    if response.status_code >= 400:
        return True
    if api:
        return False
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    queued = getattr(storage, "_queued_messages", [])  # this request's, not older ones
    if any(message.level >= ERROR for message in queued):
        return True
    return response.status_code == 200 and has_form_errors(response)


def has_form_errors(response) -> bool:
    for context in response.context or []:
        values = context.flatten().values() if hasattr(context, "flatten") else []
        for value in values:
            errors = getattr(value, "errors", None) if getattr(value, "is_bound", False) else None
            if errors:
                return True
            management = getattr(value, "management_form", None)  # formsets and wizards
            if management is not None and getattr(value, "is_bound", False):
                try:
                    if not value.is_valid():
                        return True
                except Exception:
                    return True
    return False


def refused_fields(response) -> set[str]:
    """The HTML names (with their form's prefix) of the fields a refusal blamed: the errors
    of the bound forms in a page's context, or the keys of an API's JSON 400."""
    if response is None:
        return set()
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            data = json.loads(response.content)
        except ValueError:
            return set()
        items = data if isinstance(data, list) else [data]
        return {key for item in items if isinstance(item, dict) for key in item}
    names = set()
    for context in response.context or []:
        values = context.flatten().values() if hasattr(context, "flatten") else []
        for value in values:
            if getattr(value, "is_bound", False) and hasattr(value, "add_prefix"):
                names.update(value.add_prefix(name) for name in getattr(value, "errors", {}))
    return names


def body_of(response) -> bytes:
    if hasattr(response, "fuzz_body"):
        return response.fuzz_body
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def raw_script_in(response) -> bool:
    """A payload that came back unescaped in an HTML page (a JSON answer is not HTML)."""
    if response is None or "html" not in response.get("Content-Type", ""):
        return False
    return RAW_SCRIPT in body_of(response)


# --- Requests -------------------------------------------------------------------------------


def form_request(client, url: str, pairs, *, multipart: bool):
    """A browser's POST: urlencoded (invalid UTF-8 percent-encoded), or multipart (raw
    bytes) when the form takes files."""
    if multipart:
        data: dict[str, list] = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        return lambda: client.post(url, data)
    body = urlencode(pairs)
    return lambda: client.post(url, body, content_type="application/x-www-form-urlencoded")


def upload(payload: Payload) -> SimpleUploadedFile:
    content = payload.value if isinstance(payload.value, bytes) else payload.value.encode()
    return SimpleUploadedFile("fuzz.csv", b"name\n" + content + b"\n", "text/csv")


def query_request(client, url: str, pairs, headers=None):
    query = urlencode(pairs)  # bytes are percent-encoded as they are (invalid UTF-8 stays so)
    path = urlsplit(url).path
    existing = urlsplit(url).query
    full = f"{path}?{existing + '&' if existing else ''}{query}"
    return lambda: client.get(full, **(headers or {}))


def json_body(data) -> str:
    """JSON with ``__raw__`` strings written as bare literals (1e309 is no Python float)."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace('"__raw__1e309"', "1e309")


# --- What an accepted write stored --------------------------------------------------------

_COLUMNS: dict[str, list[tuple[str, bool]]] = {}
TEXT_TYPES = ("character varying", "text", "character")
JSON_TYPES = ("jsonb", "json")


def _text_columns(table: str) -> list[tuple[str, bool]]:
    """(column, is_json) of a "schema.table"'s text and JSON columns."""
    if table not in _COLUMNS:
        schema, name = table.split(".", 1)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s",
                [schema, name],
            )
            _COLUMNS[table] = [
                (column, kind in JSON_TYPES)
                for column, kind in cursor.fetchall()
                if kind in TEXT_TYPES + JSON_TYPES
            ]
    return _COLUMNS[table]


def stored_values(tables: list[str], payload: Payload) -> tuple[bool, list[str]]:
    """Whether the payload's expected stored text is in a changed table, and the values that
    carry its marker without it (mangled: truncated, escaped, half-decoded…)."""
    found, mangled = False, []
    want = payload.stored.casefold()
    want_json = json.dumps(payload.stored, ensure_ascii=False)[1:-1].casefold()
    for table in tables:
        schema, name = table.split(".", 1)
        for column, is_json in _text_columns(table):
            with connection.cursor() as cursor:
                cursor.execute(
                    f'SELECT "{column}"::text FROM "{schema}"."{name}" '
                    f'WHERE "{column}"::text LIKE %s LIMIT 20',
                    [payload.marker],
                )
                for (value,) in cursor.fetchall():
                    if (want_json if is_json else want) in value.casefold():
                        found = True
                    else:
                        mangled.append(f"{table}.{column} = {value[:80]!r}…")
    return found, mangled
