"""Hostile input never reaches a 500 (issue #16, item 3): every payload of ``fuzz_payloads``
into every field of every form and every query parameter of every page of the console, the
portal and allauth's pages, and every writable field and query parameter of the API, generated
from the URL resolvers, the pages' HTML and the API's OpenAPI schema (see ``fuzz_site.py``).
About 4,000 requests: 90 seconds on two quiet cores (the test database's setup included),
2.5 to 3 minutes when other test runs share them.

For every request: no 5xx; a refusal changes nothing in the database and queues nothing; an
accepted write stores the text as sent (less NUL; invalid UTF-8 as U+FFFD) and pages show a
``<script>`` payload escaped.

The world is the isolation matrix's (``tests/isolation/world.py``), built once for this
module inside a transaction rolled back at its end; each request runs in a savepoint of it.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils.html import escape

from tenants.models import Tenant
from tests.isolation.runner import url_of
from tests.isolation.world import build_world, write_counts

from .fuzz_api import (
    api_write,
    fetch_schema,
    fuzz_body,
    fuzz_content,
    fuzz_list,
    list_parameters,
)
from .fuzz_html import parse_page
from .fuzz_pages import Report, fuzz_form, fuzz_query
from .fuzz_payloads import PAYLOAD_BY_KEY, SCRIPT
from .fuzz_probe import raw_script_in, savepoint, stored_values
from .fuzz_site import actor_for, chosen_case, discover, fallback_form, our_routes, sign_in

# Known 5xx in apps whose owners are busy elsewhere: "<kind> <test id>" (kinds: form, page,
# api, api-body, api-list) → what happens. Strict, so a fix flips it.
KNOWN_FAILURES: dict[str, str] = {}


def _params(kind: str, names: list[str]):
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[f"{kind} {name}"])]
            if f"{kind} {name}" in KNOWN_FAILURES
            else [],
        )
        for name in names
    ]


class Fuzz:
    def __init__(self, world, people, site, schema):
        self.world, self.people, self.site, self.schema = world, people, site, schema


API_WRITES = [
    f"{route}.{method}"
    for method in ("post", "put", "patch")
    for route in our_routes(method, api=True)
]
API_LISTS = [route for route in our_routes("get", api=True) if route.endswith("-list")]


@pytest.fixture(scope="module")
def _fuzz_world(django_db_setup, django_db_blocker):
    django_db_blocker.unblock()
    outer = transaction.atomic()
    outer.__enter__()
    try:
        world = build_world(Tenant.objects.get(slug="alpha"), Tenant.objects.get(slug="beta"))
        people = sign_in(world)
        site = discover(world, people)
        schema = fetch_schema(people["owner"])
        connection.set_schema_to_public()
        yield Fuzz(world, people, site, schema)
    finally:
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
        connection.set_schema_to_public()
        django_db_blocker.restore()


@pytest.fixture
def db(_fuzz_world):
    """Each test in a savepoint of the world's transaction (``db``: pytest-django's signal
    that the module needs the test database)."""
    test = transaction.atomic()
    test.__enter__()
    yield
    transaction.set_rollback(True)
    test.__exit__(None, None, None)
    connection.set_schema_to_public()


@pytest.fixture
def fuzz(_fuzz_world, db):
    return _fuzz_world


def _lists(fuzz) -> tuple[str, ...]:
    return tuple(sorted(fuzz.site.list_paths))


def _finish(report: Report) -> None:
    if os.environ.get("FUZZ_SUMMARY"):
        print(
            f" {report.requests} requests, {report.accepted} accepted writes, "
            f"{report.stored} stored as sent, {report.unseen} not stored as text"
        )
    assert report.requests, "nothing was sent"
    shown = "\n".join(report.failures[:40])
    more = len(report.failures) - 40
    assert not report.failures, f"{len(report.failures)} failure(s):\n{shown}" + (
        f"\n… and {more} more" if more > 0 else ""
    )


@pytest.mark.parametrize("route", _params("form", our_routes("post", api=False)))
def test_every_field_of_every_form(fuzz, route):
    targets = fuzz.site.forms.get(route) or []
    if not targets:
        fallback = fallback_form(route, fuzz.world, fuzz.people)
        targets = [fallback] if fallback else []
    report = Report()
    for target in targets:
        fuzz_form(fuzz.world, target, report, _lists(fuzz))
    _finish(report)


@pytest.mark.parametrize("route", _params("allauth", our_routes("post", api=False, allauth=True)))
def test_every_field_of_allauths_forms(fuzz, route):
    """allauth's sign-in, recovery and own-account pages, as nobody (the pages for anyone)
    or the owner (their own email, password and second factor)."""
    targets = fuzz.site.forms.get(route) or []
    if not targets:
        pytest.skip(f"the page shows no form here (GET answered {fuzz.site.pages.get(route)})")
    report = Report()
    for target in targets:
        fuzz_form(fuzz.world, target, report, _lists(fuzz))
    _finish(report)


@pytest.mark.parametrize("route", _params("page", our_routes("get", api=False)))
def test_every_query_parameter_of_every_page(fuzz, route):
    target = fuzz.site.lists.get(route)
    if target is None:
        status = fuzz.site.pages.get(route)
        assert status is not None and status < 500, f"GET {route}: {status}"
        pytest.skip(f"the page takes no query parameters (GET answered {status})")
    report = Report()
    fuzz_query(fuzz.world, target, report)
    _finish(report)


@pytest.mark.parametrize("write", _params("api", API_WRITES))
def test_every_writable_field_of_the_api(fuzz, write):
    route, method = write.rsplit(".", 1)
    target = api_write(fuzz.world, fuzz.people, fuzz.schema, route, method)
    assert target is not None and target.properties or method != "post" or target.body == {}, (
        f"{write}: the schema names no writable field"
    )
    report = Report()
    fuzz_body(fuzz.world, target, report)
    _finish(report)


@pytest.mark.parametrize("write", _params("api-body", API_WRITES))
def test_hostile_bodies_to_the_api(fuzz, write):
    route, method = write.rsplit(".", 1)
    target = api_write(fuzz.world, fuzz.people, fuzz.schema, route, method)
    report = Report()
    fuzz_content(fuzz.world, target, report)
    _finish(report)


@pytest.mark.parametrize("route", _params("api-list", API_LISTS))
def test_every_query_parameter_of_the_api(fuzz, route):
    case = chosen_case(route, "get")
    person = fuzz.people[actor_for(case).key]
    connection.set_tenant(fuzz.world.alpha)
    url = url_of(case, fuzz.world.objects("own"))
    connection.set_schema_to_public()
    params = list_parameters(fuzz.schema, url)
    assert params, f"{route}: the schema names no query parameter"
    report = Report()
    fuzz_list(fuzz.world, person, url, params, report)
    _finish(report)


# --- The fuzz can see what it looks for -------------------------------------------------


def test_the_fuzz_reads_a_pages_forms_and_query_parameters():
    html = """
    <a href="?sort=name&amp;page=2">Name</a>
    <form method="get" action="/things/"><input name="q"><select name="status">
      <option value="">Any</option><option value="open" selected>Open</option></select></form>
    <input name="autocomplete_q" hx-get="/things/autocomplete/?exclude=3">
    <form method="post" action="/things/1/edit/">
      <input type="hidden" name="version" value="4"><input name="name" value="Old">
      <textarea name="notes">Hi</textarea><input type="checkbox" name="active" checked>
      <select name="tags" multiple><option value="a" selected>A</option><option>b</option></select>
      <button type="submit" name="action" value="save">Save</button>
      <button type="submit" name="action" value="archive">Archive</button>
    </form>"""
    forms, params = parse_page(html, "/things/")
    assert params["/things/"] == {"sort", "page", "q", "status"}
    assert params["/things/autocomplete/"] == {"exclude", "autocomplete_q"}
    assert [f.submit for f in forms] == [("action", "save"), ("action", "archive")]
    assert forms[0].baseline() == [
        ("version", "4"),
        ("name", "Old"),
        ("notes", "Hi"),
        ("active", "on"),
        ("tags", "a"),
        ("action", "save"),
    ]


def test_the_fuzz_tells_a_payload_stored_as_sent_from_a_mangled_one(fuzz):
    from customers.models import Customer

    long = PAYLOAD_BY_KEY["long"]
    customer = fuzz.world.company("A")
    for stored, expect in ((long.stored, (True, 0)), (long.stored[:255], (False, 1))):
        with savepoint(fuzz.world):
            before = write_counts(fuzz.world.alpha.schema_name)
            Customer.objects.filter(pk=customer.pk).update(internal_notes=stored)
            after = write_counts(fuzz.world.alpha.schema_name)
            changed = [t for t in after if before.get(t) != after[t]]
            found, mangled = stored_values(changed, long)
            assert (found, len(mangled)) == expect


def test_the_fuzz_sees_an_unescaped_script_in_html_only():
    raw = f"<p>{SCRIPT}</p>"
    assert raw_script_in(HttpResponse(raw))
    assert not raw_script_in(HttpResponse(escape(raw)))
    assert not raw_script_in(HttpResponse(raw, content_type="application/json"))
