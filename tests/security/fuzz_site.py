"""What there is to fuzz, generated: the routes come from the URL resolvers
(``tests/isolation/resolvers.py``), the records in their URLs and a valid body from the
isolation spec's cases (which ``tests/isolation/test_completeness.py`` keeps complete), who
asks from the isolation oracle (the first of owner, customer admin, anonymous who is allowed),
and the fields and query parameters from the pages themselves (``fuzz_html.py``) and, for the
API, from its OpenAPI schema.

Our own areas: the console, the portal and the API (``spec_console``, ``spec_portal``,
``spec_api``), and allauth's pages on a tenant's host (sign-in, recovery, the signed-in
person's email, password and two-factor pages: their GET cases come from the isolation
spec's third-party rules, their forms post back to themselves). Django's admin sites are
left out: an owner's and an operator's tool, with Django's own validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.tokens import api_token_create
from tests.isolation.actors import ACTOR_BY_KEY, ALLAUTH, HOSTS, Actor, make_person
from tests.isolation.oracle import ALLOWED, expected
from tests.isolation.resolvers import TENANT, URLCONFS, all_routes
from tests.isolation.runner import url_of
from tests.isolation.spec import Anyone, Case
from tests.isolation.spec_api import API_CASES
from tests.isolation.spec_console import CONSOLE_CASES
from tests.isolation.spec_portal import PORTAL_CASES
from tests.isolation.spec_third_party import third_party_cases

from .fuzz_html import HtmlForm, parse_page

ACTOR_CHOICES = ("owner", "customer_admin", "anonymous")
TARGET = "own"
LIST_PARAMS = ("q", "sort", "page", "per_page")  # what every list's machinery reads


@cache
def _cases_by_route() -> dict[tuple[str, str], list[Case]]:
    cases: dict[tuple[str, str], list[Case]] = {}
    allauth = [case for case in third_party_cases() if case.area == ALLAUTH]
    for case in CONSOLE_CASES + PORTAL_CASES + API_CASES + allauth:
        if case.host == TENANT:
            cases.setdefault((case.name, case.method), []).append(case)
    return cases


def is_allauth(route_name: str) -> bool:
    cases = _cases_by_route().get((route_name, "get"), [])
    return any(case.area == ALLAUTH for case in cases)


def actor_for(case: Case) -> Actor | None:
    """Who sends it: pages for anyone are fuzzed by nobody (a signed-in person is sent away
    from the sign-in page), the rest by the owner or company A's customer admin."""
    order = ACTOR_CHOICES[::-1] if isinstance(case.need, Anyone) else ACTOR_CHOICES
    for key in order:
        actor = ACTOR_BY_KEY[key]
        if expected(case, actor, TARGET) == ALLOWED:
            return actor
    return None


def chosen_case(route_name: str, method: str) -> Case | None:
    """The route's spec case for ``method`` that some actor may send (variants without a
    ``negative`` first)."""
    candidates = _cases_by_route().get((route_name, method), [])
    for case in sorted(candidates, key=lambda c: (bool(c.negative), c.variant)):
        if not case.negative and actor_for(case) is not None:
            return case
    return None


def our_routes(method: str, *, api: bool, allauth: bool = False) -> list[str]:
    """The routes (console and portal, the API, or allauth's) that take ``method``, by URL
    name, from the resolvers. allauth's routes take POSTs on the pages that show a form."""
    names = []
    for route in all_routes().values():
        if route.host != TENANT or not route.named or is_allauth(route.name) != allauth:
            continue
        if allauth and method == "post" and "post" not in (route.methods or ()):
            continue
        case = chosen_case(route.name, "get" if allauth else method)
        if case is not None and case.is_api == api:
            names.append(route.name)
    return sorted(names)


@dataclass
class Person:
    actor: Actor
    client: Client
    token: str = ""


def sign_in(world) -> dict[str, Person]:
    """The owner (console and API) and company A's customer admin (portal and portal API),
    with a session and a token each; nobody, for pages anyone may open."""
    connection.set_tenant(world.alpha)
    people = {}
    for key in ACTOR_CHOICES:
        actor = ACTOR_BY_KEY[key]
        client = Client(HTTP_HOST=HOSTS["alpha"])
        if actor.kind == "anonymous":
            people[key] = Person(actor, client)
            continue
        user = make_person(actor, world)
        client.force_login(user)
        _, secret = api_token_create(user=user, name="fuzz")
        people[key] = Person(actor, client, secret)
    connection.set_schema_to_public()
    return people


def route_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path, urlconf=URLCONFS[TENANT])
    except Resolver404:
        return None
    return match.view_name


@dataclass
class FormTarget:
    route: str
    url: str
    person: Person
    form: HtmlForm
    spec_data: dict = field(default_factory=dict)
    page: str = ""  # the page that showed the form

    def baseline(self) -> list[tuple[str, str]]:
        """The page's own values with the spec's valid data for the fields the page leaves
        empty or lets a person fill in (never a hidden value the page set: a version, a
        wizard's step, which button)."""
        pairs = self.form.baseline()
        given = {name for name, value in pairs if value != ""}
        hidden = {n for n, f in self.form.fields.items() if f.kind == "hidden" and n in given}
        for name, value in self.spec_data.items():
            if name in hidden or name not in self.form.fields:
                continue
            pairs = [(n, v) for n, v in pairs if n != name]
            for item in value if isinstance(value, list) else [value]:
                pairs.append((name, str(item)))
        return pairs


@dataclass
class ListTarget:
    route: str
    url: str
    person: Person
    params: set[str]


@dataclass
class Site:
    forms: dict[str, list[FormTarget]] = field(default_factory=dict)
    lists: dict[str, ListTarget] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)  # route → status of its GET
    list_paths: set[str] = field(default_factory=set)  # pages with filters, a table, exports


def _view_class(path: str):
    try:
        match = resolve(urlsplit(path).path, urlconf=URLCONFS[TENANT])
    except Resolver404:
        return None
    return getattr(match.func, "view_class", None)


def discover(world, people: dict[str, Person]) -> Site:
    """GET every page of ours as someone allowed to see it; collect the forms (by the route
    they post to) and the query parameters (by the route they are sent to)."""
    objects = world.objects(TARGET)
    site = Site()
    seen: dict[str, set] = {}
    found_params: dict[str, set[str]] = {}
    page_of: dict[str, tuple[str, Person]] = {}
    for name in our_routes("get", api=False) + our_routes("get", api=False, allauth=True):
        case = chosen_case(name, "get")
        person = people[actor_for(case).key]
        connection.set_tenant(world.alpha)
        url = url_of(case, objects)
        connection.set_schema_to_public()
        response = person.client.get(url)
        site.pages[name] = response.status_code
        page_of[name] = (url, person)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        forms, params = parse_page(response.content.decode(), url)
        for path, names in params.items():
            route = route_of(path)
            if route is not None:
                found_params.setdefault(route, set()).update(names)
        for form in forms:
            route = route_of(form.action)
            post_case = chosen_case(route, "post") if route else None
            if post_case is None and route == name and is_allauth(name):
                post_case = case  # allauth's pages post back to themselves
            if post_case is None or form.signature in seen.setdefault(route, set()):
                continue
            seen[route].add(form.signature)
            post_person = people[actor_for(post_case).key]
            connection.set_tenant(world.alpha)
            data = (post_case.build_data(objects) or {}) if post_case.method == "post" else {}
            connection.set_schema_to_public()
            site.forms.setdefault(route, []).append(
                FormTarget(route, form.action, post_person, form, data, url)
            )
    for route, (url, person) in page_of.items():
        view = _view_class(url)
        names = set(found_params.get(route, set()))
        if view is not None and getattr(view, "table_class", None) is not None:
            names.update(LIST_PARAMS)
            if getattr(view, "filterset_class", None) is not None:
                site.list_paths.add(urlsplit(url).path)
        names.discard("csrfmiddlewaretoken")
        if names:
            site.lists[route] = ListTarget(route, url, person, names)
    return site


def fallback_form(route: str, world, people: dict[str, Person]) -> FormTarget | None:
    """A route that takes POSTs whose form no page showed (a button shown only in some
    state): its fields are the spec's valid body."""
    from .fuzz_html import FormField

    case = chosen_case(route, "post")
    if case is None:
        return None
    connection.set_tenant(world.alpha)
    objects = world.objects(TARGET)
    url, data = url_of(case, objects), case.build_data(objects) or {}
    connection.set_schema_to_public()
    form = HtmlForm("post", url, "")
    for name, value in data.items():
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        form.fields[name] = FormField(name, "text", values)
    return FormTarget(route, url, people[actor_for(case).key], form, {})
