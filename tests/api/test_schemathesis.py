"""The API fuzzed with schemathesis over its own OpenAPI schema (issue #8).

A bounded, reproducible run: the schema comes from the app (``/api/schema/`` on a tenant's
host), every request goes in-process through the real WSGI stack (tenant middleware, token
authentication, throttling, the policy layer) inside this test's transaction, so nothing it
writes outlives the test. Each operation gets a few derandomized examples; most of them aim
at seeded records (real ids, the current ETag) so reads and writes reach the services, not
just the 404 path.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter

import pytest
import schemathesis
import werkzeug.test
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import StaffRole
from accounts.tokens import api_token_create
from core.api.base import etag_of
from customers.models import LinkedAccount
from portal.models import JoinRequest
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    LocationFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOST = "alpha.localhost"
EXAMPLES_PER_OPERATION = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def wsgi_app():
    """The real WSGI handler, minus what Django's test client also switches off: closing the
    connection at each request's start and end (it holds this test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def seed() -> dict:
    """A little of everything, so GETs, updates and deletes by id hit real records."""
    parent = CustomerFactory(name="Fuzz Parent")
    company = CustomerFactory(name="Fuzz Company", parent=parent)
    child = CustomerFactory(name="Fuzz Child", parent=company)
    location = LocationFactory(customer=company)
    asset = AssetFactory(location=location)
    project = ProjectFactory(customer=company)
    account = LinkedAccount.objects.create(
        customer=company, provider="AWS", kind="account", external_id="fuzz-1"
    )
    member = MembershipFactory(customer=company, role="read_only")
    invitee = MembershipFactory(customer=company, role="read_only", user__password=None)
    customer_admin = MembershipFactory(customer=company, role="admin")
    join_requests = [
        JoinRequest.objects.create(
            customer=company, email=f"joiner{n}@fuzz.example", first_name="J", last_name="R"
        )
        for n in range(2)
    ]
    from tickets.services import ticket_open

    tickets = [
        ticket_open(
            actor=customer_admin.user, customer_id=company.pk, subject=f"Fuzz {n}", description="x"
        )
        for n in range(2)
    ]
    return {
        "customers": [company, child, parent],
        "tickets": tickets,
        # DELETE aims at customers of its own, so the others' records stay visible.
        "customers:delete": [CustomerFactory(name=f"Fuzz Doomed {n}") for n in range(3)],
        "linked-accounts": [account],
        "locations": [location],
        "assets": [asset],
        "projects": [project],
        "portal-users": [member, invitee],
        "join-requests": join_requests,
        "company": company,
        "customer_admin": customer_admin.user,
        # Foreign keys in request bodies, so creates and updates can succeed.
        "references": {
            "customer": company.pk,
            "parent": parent.pk,
            "owner": company.pk,
            "location": location.pk,
            "project": project.pk,
            "locations": [location.pk],
        },
    }


def aim_references(body, references: dict):
    """Point a generated body's foreign keys at seeded records (items of a list, too)."""
    if isinstance(body, list):
        return [aim_references(item, references) for item in body]
    if isinstance(body, dict):
        return {
            key: references[key] if key in references and value is not None else value
            for key, value in body.items()
        }
    return body


def records_for(method: str, path: str, objects: dict) -> list:
    """The seeded records an operation's ``{id}`` may point at."""
    parts = [part for part in path.split("/") if part and not part.startswith("{")]
    for part in reversed(parts):
        if f"{part}:{method.lower()}" in objects:
            return objects[f"{part}:{method.lower()}"]
        if part in objects:
            return objects[part]
        if part == "users" and "portal" in parts:
            return objects["portal-users"]
    return []


def load_schema(app) -> schemathesis.schemas.BaseSchema:
    """The schema as the tenant's host serves it (through the same handler as the requests;
    Django's test client would switch connection closing back on)."""
    raw = werkzeug.test.Client(app).get("/api/schema/?format=json", base_url=f"http://{HOST}")
    assert raw.status_code == 200
    raw = json.loads(raw.get_data())
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    return schema


def test_the_api_keeps_to_its_own_schema(in_tenant, wsgi_app):
    objects = seed()
    owner = UserFactory(role=StaffRole.OWNER)
    tokens = {
        "console": api_token_create(user=owner, name="fuzz")[1],
        "portal": api_token_create(user=objects["customer_admin"], name="fuzz")[1],
    }
    schema = load_schema(wsgi_app)

    statuses: dict[str, Counter] = {}
    failures: dict[tuple[str, str], str] = {}
    started = time.monotonic()

    def exercise(operation) -> None:
        label = operation.label
        statuses[label] = Counter()
        records = records_for(operation.method, operation.path, objects)
        token = tokens["portal" if operation.path.startswith("/api/v1/portal/") else "console"]
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, aim=st.integers(min_value=0, max_value=3))
        def run(case, aim: int) -> None:
            # Three times in four, point at a seeded record (and send its current ETag).
            target = records[aim % len(records)] if records and aim else None
            if target is not None and "id" in (case.path_parameters or {}):
                case.path_parameters["id"] = target.pk
            if "cid" in (case.path_parameters or {}) and aim:
                case.path_parameters["cid"] = objects["company"].pk
            if (
                aim
                and case.body is not None
                and case.meta.generation.mode == GenerationMode.POSITIVE
            ):
                case.body = aim_references(case.body, objects["references"])
            headers = {"Authorization": f"Bearer {token}"}
            if target is not None and case.method.upper() in ("PUT", "PATCH", "DELETE"):
                with contextlib.suppress(type(target).DoesNotExist):
                    target.refresh_from_db()  # the ETag after earlier examples' updates
                headers["If-Match"] = etag_of(target)
            response = case.call(base_url=f"http://{HOST}", headers=headers)
            statuses[label][response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    failures.setdefault((label, failure.title), str(group))

        run()

    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletes and account status changes (which suspend, deactivate or delete the seeded
    # company, and so shut its users' tokens out) last.
    operations.sort(
        key=lambda operation: (
            operation.method.upper() == "DELETE" or operation.path.endswith("/account/")
        )
    )
    for operation in operations:
        exercise(operation)
    elapsed = time.monotonic() - started

    requests = sum(sum(counts.values()) for counts in statuses.values())
    summary = "\n".join(f"{label}: {dict(counts)}" for label, counts in sorted(statuses.items()))
    print(f"\n{len(operations)} operations, {requests} requests in {elapsed:.1f}s\n{summary}")
    assert not failures, "\n\n".join(list(failures.values())[:10]) + f"\n{list(failures)}"
    # Not vacuous: every operation ran, and the seeded records made many of them succeed.
    assert len(operations) >= 24
    assert requests >= len(operations) * 3
    succeeded = [label for label, counts in statuses.items() if any(200 <= s < 300 for s in counts)]
    assert len(succeeded) >= len(operations) * 0.6, summary
