"""Fuzzing the console's and the portal's pages: every payload into every field of a form
(one field at a time, the others as the page filled them in), every payload into all fields
at once, and every payload into every query parameter of a page that takes some.

What must hold for every request: no 5xx; a refusal (a 4xx, the form again with errors, a
redirect with an error message) wrote nothing and queued nothing; no payload comes back as
raw ``<script>`` in HTML; an accepted write stored the text as sent (without NUL, with
U+FFFD for invalid UTF-8), and the page it leads to shows it escaped."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .fuzz_payloads import PAYLOAD_BY_KEY, PAYLOADS, TEXT_PAYLOADS, Payload
from .fuzz_probe import (
    body_of,
    cookies_kept,
    form_request,
    query_request,
    raw_script_in,
    refused_fields,
    savepoint,
    send,
    stored_values,
    upload,
)
from .fuzz_site import FormTarget, ListTarget

# Tables a refusal may write to, by design: a failed sign-in or re-authentication is
# recorded in the sign-in log (the audit trail of attempts).
AUDITED = frozenset({"accounts_signinevent"})


class Report:
    """Failures of one test, one line each, and counts for the summary."""

    def __init__(self):
        self.failures: list[str] = []
        self.requests = 0
        self.accepted = 0
        self.stored = 0  # accepted text payloads found stored as sent
        self.unseen = 0  # accepted, but the fuzzed field is not stored anywhere as text

    def fail(self, what: str, message: str) -> None:
        self.failures.append(f"{what}: {message}")

    def check(self, what: str, outcome, *, payload: Payload | None, field: str | None) -> None:
        """The checks every request gets; ``field`` is the one fuzzed field (for what an
        accepted write stored)."""
        self.requests += 1
        if outcome.server_error:
            self.fail(what, f"{outcome.status} {outcome.error}".strip())
            return
        response = outcome.response
        if raw_script_in(response):
            self.fail(what, "the answer shows the <script> payload unescaped")
        if outcome.refused:
            changed = [t for t in outcome.changed if t.split(".", 1)[-1] not in AUDITED]
            if changed:
                self.fail(what, f"refused ({outcome.status}), yet wrote to {changed}")
            if outcome.queued:
                self.fail(what, f"refused, yet queued {outcome.queued} after-commit task(s)")
            return
        if not outcome.changed:
            return
        self.accepted += 1
        if payload is not None and field is not None and payload.kind == "text":
            found, mangled = stored_values(outcome.changed, payload)
            if mangled and not found:
                self.fail(what, f"accepted, but stored differently: {mangled[:2]}")
            self.stored += found
            self.unseen += not found and not mangled


def _location(response) -> str:
    location = response.get("Location", "") if response is not None else ""
    parts = urlsplit(location)
    if parts.netloc and not parts.netloc.endswith("localhost"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _list_of(location: str, lists: tuple[str, ...]) -> str:
    """The list a record's page belongs to: the longest list path its path starts with
    (``/customers/`` for ``/customers/12/``)."""
    path = urlsplit(location).path
    return max((p for p in lists if p != path and path.startswith(p)), key=len, default="")


def _shown_after_write(report: Report, what: str, client, outcome, payload, page, lists):
    """After an accepted write: a ``<script>`` shows escaped on the page it leads to, the
    list it is in (its table) and the form's page; control characters leave the list's
    exports working (a worksheet cannot hold them)."""
    location = _location(outcome.response)
    listed = _list_of(location, lists)
    if payload.key == "script":
        pages = [location, listed, page]
    elif payload.key == "control" and listed:
        pages = [f"{listed}?export=xlsx", f"{listed}?export=csv"]
    else:
        return
    for url in filter(None, pages):
        report.requests += 1
        try:
            response = client.get(url)
            body_of(response)  # an export runs as it streams
        except Exception as error:  # the test client re-raises a view's exception
            report.fail(what, f"GET {url} after the write: 500 {type(error).__name__}: {error}")
            continue
        if response.status_code >= 500:
            report.fail(what, f"GET {url} after the write: {response.status_code}")
        elif raw_script_in(response):
            report.fail(what, f"GET {url} after the write shows <script> unescaped")


def _replace(pairs, name: str, value) -> list[tuple[str, object]]:
    out, done = [], False
    for key, current in pairs:
        if key != name:
            out.append((key, current))
        elif not done:
            out.append((key, value))
            done = True
    if not done:
        out.append((name, value))
    return out


def fuzz_form(world, target: FormTarget, report: Report, lists: tuple[str, ...] = ()) -> None:
    """``lists``: the paths of the list pages, to look for an accepted record in."""
    client = target.person.client
    fields = target.form.fields
    files = [name for name, f in fields.items() if f.kind == "file"]
    multipart = bool(files) or "multipart" in target.form.enctype
    baseline = target.baseline()
    label = f"POST {target.url}"
    if target.form.submit:
        label += f" [{target.form.submit[0]}={target.form.submit[1]}]"

    def run(what, pairs, *, payload=None, field=None, raw=False) -> set[str]:
        """Send and check; the names of the fields a refusal blamed. ``raw``: as multipart,
        whose bytes reach the parser as they are (urlencoded bodies percent-encode them)."""
        with cookies_kept(client), savepoint(world):
            request = form_request(client, target.url, pairs, multipart=multipart or raw)
            outcome = send(world, request)
            report.check(what, outcome, payload=payload, field=field)
            accepted = not (outcome.server_error or outcome.refused) and outcome.changed
            if payload is not None and accepted:
                _shown_after_write(report, what, client, outcome, payload, target.page, lists)
            return refused_fields(outcome.response) if outcome.refused else set()

    run(f"{label} as the page filled it in", baseline)
    fuzzed = [name for name in fields if name not in files and name != "csrfmiddlewaretoken"]
    if not fuzzed and not files:
        return  # a confirmation button: nothing to put a payload into
    # 1. Each payload into every field at once: every field's parsing and validation sees
    # every payload (a form cleans each field whatever the others hold).
    for payload in PAYLOADS:
        pairs = [(n, v) for n, v in baseline if n not in fuzzed]
        pairs += [(name, payload.form_value()) for name in fuzzed]
        if target.form.submit and target.form.submit[0] in fuzzed:
            pairs.append(target.form.submit)
        run(f"{label} all fields={payload.key}", pairs, payload=payload)
        if isinstance(payload.value, bytes) and not multipart:
            run(f"{label} all fields={payload.key} (multipart)", pairs, payload=payload, raw=True)
    # 2. Each text payload into every free-text field at once, the others valid: the path
    # of an accepted write (the service, the database, the page that shows the record).
    # Fields that refuse the payload (a phone number, a website) are put back and the rest
    # sent again, so the accepting ones reach the database.
    free = [name for name in fuzzed if kind_of(fields[name], baseline) == "text"]
    for payload in TEXT_PAYLOADS:
        names = free
        for _attempt in range(2):
            if not names or payload.key == "long":
                break
            pairs = baseline
            for name in names:
                pairs = _replace(pairs, name, payload.form_value())
            blamed = run(
                f"{label} {'+'.join(names)}={payload.key}", pairs, payload=payload, field=names[0]
            )
            names = [n for n in names if not any(n == b or n.startswith(f"{b}-") for b in blamed)]
            if not blamed:
                break
    # 3. One field at a time, the others valid, with what that field might accept: 10,000
    # characters into text (a length the form must refuse before the database does),
    # huge and negative numbers into numbers and ids, impossible dates into dates.
    for name in one_form_of_each_formset(fuzzed):
        for payload in ONE_AT_A_TIME[kind_of(fields[name], baseline)]:
            pairs = _replace(baseline, name, payload.form_value())
            run(f"{label} {name}={payload.key}", pairs, payload=payload, field=name)
    for name in files:
        for payload in PAYLOADS:
            pairs = [(n, v) for n, v in baseline if n != name] + [(name, upload(payload))]
            run(f"{label} {name}=<file of {payload.key}>", pairs)


FORMSET_FIELD = re.compile(r"^(?P<prefix>.+)-(?P<index>\d+)-(?P<field>[^-]+)$")


def one_form_of_each_formset(names: list[str]) -> list[str]:
    """A formset's forms share their fields' code: one at a time, the first form's field and
    the blank extra form's (the last index) stand for them all. Passes 1 and 2 still put
    every payload into every form's fields."""
    last: dict[str, int] = {}
    for name in names:
        if match := FORMSET_FIELD.match(name):
            prefix = match["prefix"]
            last[prefix] = max(last.get(prefix, 0), int(match["index"]))
    kept = []
    for name in names:
        match = FORMSET_FIELD.match(name)
        if match is None or int(match["index"]) in (0, last[match["prefix"]]):
            kept.append(name)
    return kept


DATE_LIKE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
NUMBER_LIKE = re.compile(r"^-?\d+(\.\d+)?$")
ONE_AT_A_TIME = {
    "text": [PAYLOAD_BY_KEY["long"]],
    "number": [PAYLOAD_BY_KEY[k] for k in ("huge", "negative", "huge_negative", "inf")],
    "date": [PAYLOAD_BY_KEY[k] for k in ("feb30", "zero_date", "nines_date")],
    "choice": [],
}


def kind_of(field, baseline) -> str:
    """What a field takes, from its input type and the value the page gave it: "text"
    (free text), "number" (numbers and record ids, hidden versions), "date", or "choice"
    (a fixed set: every payload is refused by validation, pass 1 covers it)."""
    value = next((v for n, v in baseline if n == field.name), "")
    if field.kind in ("date", "month", "datetime-local", "week") or DATE_LIKE.match(value or ""):
        return "date"
    if field.kind == "number" or NUMBER_LIKE.match(value or ""):
        return "number"
    if field.kind in ("select", "select-multiple", "radio", "checkbox"):
        return "choice"
    if field.kind == "hidden" and value:
        return "choice"
    if field.kind in ("email", "url"):
        return "choice"  # validated formats: a payload is refused (pass 1 covers it)
    return "text"


def fuzz_query(world, target: ListTarget, report: Report) -> None:
    """Each payload into all of the page's query parameters at once (a list ignores invalid
    filter values one by one, so each is still parsed)."""
    client = target.person.client
    params = sorted(target.params)

    def run(what, pairs, payload):
        with cookies_kept(client), savepoint(world):
            outcome = send(world, query_request(client, target.url, pairs))
            report.check(what, outcome, payload=payload, field=None)

    for payload in PAYLOADS:
        pairs = [(name, payload.form_value()) for name in params]
        run(f"GET {target.url} all parameters={payload.key}", pairs, payload)
    # The exports run the same filters over every matching row.
    if "export" in params:
        emoji = PAYLOAD_BY_KEY["emoji"]
        for kind in ("csv", "xlsx"):
            pairs = [(n, emoji.value) for n in params if n != "export"] + [("export", kind)]
            run(f"GET {target.url} export={kind}, the rest={emoji.key}", pairs, emoji)
    # The live search's partial (htmx) renders the same rows through its own template.
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}
    pairs = [(name, PAYLOAD_BY_KEY["script"].value) for name in params]
    with savepoint(world):
        outcome = send(world, query_request(client, target.url, pairs, htmx))
        report.check(f"GET {target.url} (htmx) all=script", outcome, payload=None, field=None)
