"""Send one case as one actor and check the answer against the oracle: the status, no word of
a company family the actor must not see, and, for writes, the database and the outbox (every
email and task waits for the commit) untouched by anyone refused and changed by anyone
allowed."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse

from .actors import ACTORS, HOSTS, Actor
from .oracle import ALLOWED, DENIED, LOGIN, NOT_FOUND, REFUSED, expected, hidden_tokens
from .resolvers import URLCONFS
from .spec import Case
from .world import write_counts

LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


def matrix(cases: list[Case]):
    """pytest params: every case for every actor and target whose areas include it."""
    for case in cases:
        case.refs, case.data_refs  # noqa: B018 - a builder that cannot be recorded fails here
        for actor in ACTORS:
            for index, (target, areas) in enumerate(actor.targets):
                if case.surface not in areas:
                    continue
                if index and not (case.refs or case.data_refs):
                    continue  # the same request as the actor's main target
                if target == "mixed" and not case.refs - {"company"}:
                    continue  # no record after the company: the same as "own"
                marks = []
                if actor.pending:
                    marks.append(pytest.mark.xfail(strict=False, reason=actor.pending))
                bug = case.bugs.get(actor.id(target), case.bugs.get(actor.key))
                if bug:
                    marks.append(pytest.mark.xfail(strict=True, reason=bug))
                yield pytest.param(
                    case, actor, target, id=f"{case.id}-{actor.id(target)}", marks=marks
                )


def url_of(case: Case, objects) -> str:
    if case.name.startswith("(unnamed)"):
        return case.build_kwargs(objects)["path"]
    args = case.args(objects) if case.args else None
    kwargs = case.build_kwargs(objects)
    return reverse(case.name, args=args, kwargs=kwargs, urlconf=URLCONFS[case.host])


def send(case: Case, actor: Actor, credentials, world, objects):
    host = actor.host(case.host)
    extra = {}
    if case.is_api and credentials.token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {credentials.token}"
    if case.etag:
        from core.api.base import etag_of

        record = case.etag(objects)
        extra["HTTP_IF_MATCH"] = etag_of(type(record).objects.get(pk=record.pk))
    client = Client(HTTP_HOST=HOSTS[host], **extra)
    if credentials.session and not case.is_api:
        client.cookies["sessionid"] = credentials.session
    url, data = url_of(case, objects), case.build_data(objects)
    connection.set_schema_to_public()
    if case.method in ("get", "delete") or not case.is_api:
        return getattr(client, case.method)(url, data)
    return getattr(client, case.method)(url, json.dumps(data), content_type="application/json")


def run(case: Case, actor: Actor, target: str, world, credentials) -> None:
    mine = credentials[actor.key]
    if mine.error is not None:
        raise mine.error
    objects = world.objects(target)
    expect = expected(case, actor, target)
    connection.set_tenant(world.alpha)  # builders may read alpha's records
    schemas = [world.alpha.schema_name, "public"]
    before = write_counts(*schemas) if case.writes else None
    with TestCase.captureOnCommitCallbacks() as queued:
        response = send(case, actor, mine, world, objects)
    what = f"{case.method.upper()} {case.id} as {actor.id(target)}"
    check_status(response, expect, case, what)
    if expect == ALLOWED:
        body = content_of(response).decode(errors="replace").lower()
        leaked = [token for token in hidden_tokens(actor) if token in body]
        assert not leaked, f"{what}: the answer shows records of another company ({leaked})"
    if before is not None:
        after = write_counts(*schemas)
        on_alpha = actor.host(case.host) == "alpha"
        watched = [t for t in after if on_alpha or t.startswith(f"{world.alpha.schema_name}.")]
        changed = sorted(t for t in watched if before.get(t) != after[t])
        if expect == ALLOWED and actor.signed_in and on_alpha and not case.no_effect:
            assert changed or queued, (
                f"{what}: allowed, yet nothing changed and nothing was queued "
                f"(fix the case's data?){form_errors(response)}"
            )
        elif expect != ALLOWED:
            assert not changed, f"{what}: refused, yet wrote to {changed}"
            assert not queued, f"{what}: refused, yet queued {len(queued)} after-commit task(s)"
        elif not on_alpha:
            assert not changed, f"{what}: allowed on its own host, yet wrote to alpha: {changed}"


def check_status(response, expect, case: Case, what: str) -> None:
    status, location = response.status_code, response.get("Location", "")
    detail = f"{what}: got {status} {location}".rstrip()
    if expect == LOGIN:
        if case.is_api:
            assert status == 401, detail
        else:
            assert status == 302 and location.startswith(LOGIN_PAGES), detail
    elif expect == ALLOWED:
        ok = case.ok or (tuple(range(200, 300)) if case.is_api else (200, 302))
        assert status in ok, f"{detail}{form_errors(response)}"
        assert not location.startswith(LOGIN_PAGES), detail
    elif expect == REFUSED:  # a form shown again, a redirect with a message, a 400 or a 404
        assert status in ((400, 404) if case.is_api else (200, 302, 400, 404)), detail
        assert not location.startswith(LOGIN_PAGES), detail
    elif expect == DENIED:
        assert status in (403, *case.missing), detail
        assert not location.startswith(LOGIN_PAGES), detail
    elif expect == NOT_FOUND:
        assert status in case.missing, detail
        assert not location.startswith(LOGIN_PAGES), detail
    else:
        assert status == expect, detail


def content_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def form_errors(response) -> str:
    """The form errors of a re-rendered page, or the start of an API error body."""
    if response.get("Content-Type", "").startswith("application/json"):
        return f"\n{response.content[:300]!r}"
    errors = set()
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if hasattr(value, "errors") and getattr(value, "is_bound", False) and value.errors:
                errors.add(
                    value.errors.as_json()
                    if hasattr(value.errors, "as_json")
                    else str(value.errors)
                )
    return f"\nform errors: {sorted(errors)}" if errors else ""
