"""Fuzzing the API from its OpenAPI schema (``/api/schema/``, drf-spectacular): each payload
into each writable field of every POST/PUT/PATCH body (as a JSON string, numbers as JSON
numbers, 1e309 as a bare literal), each payload into each query parameter of every list, and
bodies no client should send: other content types, invalid UTF-8, malformed and deeply
nested JSON. Every answer is below 500; every refusal is a JSON 4xx that changed nothing."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client

from core.api.base import etag_of
from tests.isolation.actors import HOSTS
from tests.isolation.runner import url_of

from .fuzz_pages import Report
from .fuzz_payloads import PAYLOAD_BY_KEY, PAYLOADS, TEXT_PAYLOADS
from .fuzz_probe import json_body, query_request, refused_fields, savepoint, send
from .fuzz_site import TARGET, Person, actor_for, chosen_case

ONE_AT_A_TIME = {
    "text": [PAYLOAD_BY_KEY["long"]],
    "number": [PAYLOAD_BY_KEY[k] for k in ("huge", "negative", "huge_negative", "inf")],
    "date": [PAYLOAD_BY_KEY[k] for k in ("feb30", "zero_date", "nines_date")],
    "choice": [],
}
QUERY_PAYLOADS = [PAYLOAD_BY_KEY[k] for k in ("sql", "bad_utf8", "huge")]


def fetch_schema(person: Person) -> dict:
    response = api_client(person).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.status_code
    return json.loads(response.content)


def api_client(person: Person) -> Client:
    return Client(HTTP_HOST=HOSTS["alpha"], HTTP_AUTHORIZATION=f"Bearer {person.token}")


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(schema, node["allOf"][0])
    return node


def operation_for(schema: dict, url: str, method: str) -> dict | None:
    """The schema's operation for a concrete URL (``/api/v1/customers/12/``); a literal path
    (``customers/bulk/``) before a template that also matches (``customers/{id}/``)."""
    path = url.split("?", 1)[0]
    for template in sorted(schema["paths"], key=lambda t: t.count("{")):
        parts = re.split(r"\{[^}]+\}", template)
        operations = schema["paths"][template]
        if method in operations and re.match("^" + "[^/]+".join(map(re.escape, parts)) + "$", path):
            return operations[method]
    return None


def kind_of_property(prop: dict) -> str:
    if "enum" in prop or prop.get("type") == "boolean" or "oneOf" in prop:
        return "choice"
    if prop.get("type") in ("integer", "number"):
        return "number"
    if prop.get("format") in ("date", "date-time"):
        return "date"
    if prop.get("format") in ("email", "idn-email", "uri", "iri", "uuid"):
        return "choice"
    if prop.get("type") == "string" and prop.get("pattern", "").startswith("^-?\\d"):
        return "number"  # a decimal sent as a string
    if prop.get("type") == "string":
        return "text"
    return "choice"  # objects and arrays: every payload is the wrong type (pass 1)


@dataclass
class ApiWrite:
    route: str
    method: str
    url: str
    person: Person
    body: object  # the spec's valid body (a dict, or a list for bulk routes)
    properties: dict = field(default_factory=dict)  # writable field → its schema
    etag_record: object = None

    @property
    def is_list(self) -> bool:
        return isinstance(self.body, list)


def api_write(world, people, schema, route: str, method: str) -> ApiWrite | None:
    case = chosen_case(route, method)
    if case is None:
        return None
    person = people[actor_for(case).key]
    connection.set_tenant(world.alpha)
    objects = world.objects(TARGET)
    url = url_of(case, objects)
    body = case.build_data(objects)
    record = case.etag(objects) if case.etag else None
    connection.set_schema_to_public()
    target = ApiWrite(route, method, url, person, body if body is not None else {}, {}, record)
    operation = operation_for(schema, url, method) or {}
    content = operation.get("requestBody", {}).get("content", {})
    body_schema = (
        content.get("application/json", {}).get("schema")
        # An upload (documents) names its fields for multipart only: fuzz them all the same.
        or content.get("multipart/form-data", {}).get("schema")
    )
    if body_schema:
        node = _resolve(schema, body_schema)
        if node.get("type") == "array":
            node = _resolve(schema, node.get("items", {}))
        for name, prop in node.get("properties", {}).items():
            prop = _resolve(schema, prop) if "$ref" in prop else prop
            if not prop.get("readOnly"):
                target.properties[name] = prop
    return target


def _with(body, name: str, value):
    if isinstance(body, list):
        return [_with(item, name, value) for item in body] or [{name: value}]
    changed = copy.deepcopy(body) if isinstance(body, dict) else {}
    changed[name] = value
    return changed


def _send_body(world, target: ApiWrite, raw: bytes | str, content_type: str):
    client = api_client(target.person)
    headers = {}
    if target.etag_record is not None:
        record = type(target.etag_record).objects.get(pk=target.etag_record.pk)
        headers["HTTP_IF_MATCH"] = etag_of(record)
    call = getattr(client, target.method)
    return send(
        world, lambda: call(target.url, raw, content_type=content_type, **headers), api=True
    )


def check_json_refusal(report: Report, what: str, outcome) -> None:
    """A refusal of the API is a JSON body (the documented error shapes), never HTML."""
    response = outcome.response
    if response is not None and outcome.refused and response.status_code not in (405,):
        kind = response.get("Content-Type", "")
        if not kind.startswith("application/json"):
            report.fail(what, f"a {response.status_code} answered with {kind!r}, not JSON")


def fuzz_body(world, target: ApiWrite, report: Report) -> None:
    label = f"{target.method.upper()} {target.url}"

    def run(what, body, *, payload=None, field=None) -> set[str]:
        with savepoint(world):
            outcome = _send_body(world, target, json_body(body), "application/json")
            report.check(what, outcome, payload=payload, field=field)
            check_json_refusal(report, what, outcome)
            return refused_fields(outcome.response) if outcome.refused else set()

    run(f"{label} the spec's body", target.body)
    names = list(target.properties)
    for payload in PAYLOADS:
        body = target.body
        for name in names:
            body = _with(body, name, payload.json_value())
        run(f"{label} all fields={payload.key}", body, payload=payload)
    text = [n for n in names if kind_of_property(target.properties[n]) == "text"]
    for payload in TEXT_PAYLOADS:
        names = text
        for _attempt in range(2):  # again without the fields the 400 blamed
            if not names or payload.key == "long":
                break
            body = target.body
            for name in names:
                body = _with(body, name, payload.json_value())
            blamed = run(
                f"{label} {'+'.join(names)}={payload.key}", body, payload=payload, field=names[0]
            )
            names = [n for n in names if n not in blamed]
            if not blamed:
                break
    for name in names:
        for payload in ONE_AT_A_TIME[kind_of_property(target.properties[name])]:
            body = _with(target.body, name, payload.json_value())
            run(f"{label} {name}={payload.key}", body, payload=payload, field=name)


# Bodies no client should send; each must be a JSON 4xx that changed nothing.
HOSTILE_BODIES = {
    "text/plain": (b"name=fuzz", "text/plain"),
    "xml": (b"<customer><name>fuzz</name></customer>", "application/xml"),
    "urlencoded junk": (b"%ff%fe=%00&name=\xff", "application/x-www-form-urlencoded"),
    "multipart junk": (b"--x\r\nfuzz\r\n--x--", "multipart/form-data; boundary=x"),
    "invalid UTF-8 JSON": (b'{"name": "bad \xff\xfe\xc3\x28 utf8"}', "application/json"),
    "malformed JSON": (b'{"name": ', "application/json"),
    "JSON string": (b'"fuzz"', "application/json"),
    "JSON number": (b"1e309", "application/json"),
    "deeply nested JSON": (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    "JSON with a NUL key": (b'{"na\\u0000me": "x"}', "application/json"),
}


def fuzz_content(world, target: ApiWrite, report: Report) -> None:
    for key, (raw, content_type) in HOSTILE_BODIES.items():
        what = f"{target.method.upper()} {target.url} with {key}"
        with savepoint(world):
            outcome = _send_body(world, target, raw, content_type)
            report.check(what, outcome, payload=None, field=None)
            check_json_refusal(report, what, outcome)
            if not outcome.server_error and not outcome.refused and outcome.changed:
                # Some actions take no body at all: accepting one is fine, but not a
                # hostile one as data.
                body = (outcome.response.content or b"")[:200]
                if b"fuzz" in body:
                    report.fail(what, f"accepted the body as data: {body!r}")


def list_parameters(schema: dict, url: str) -> list[str]:
    operation = operation_for(schema, url, "get") or {}
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]


def fuzz_list(world, person: Person, url: str, params: list[str], report: Report) -> None:
    client = api_client(person)

    def run(what, pairs, payload):
        with savepoint(world):
            outcome = send(world, query_request(client, url, pairs), api=True)
            report.check(what, outcome, payload=payload, field=None)
            check_json_refusal(report, what, outcome)

    for payload in PAYLOADS:
        run(f"GET {url} all={payload.key}", [(n, payload.form_value()) for n in params], payload)
    for name in params:
        for payload in QUERY_PAYLOADS:
            run(f"GET {url} {name}={payload.key}", [(name, payload.form_value())], payload)
