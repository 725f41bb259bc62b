"""A tenant task looks its tenant up in the registry, remembering the tenants it found for a
few seconds (a worker runs many jobs for the same few tenants), yet a job for a tenant that is
gone still fails with TenantGone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import tasks
from core.tasks import TenantGone, tenant_task


@tenant_task(queue="tests", retry=False)
def current_schema(*, fail: bool = False) -> str:
    if fail:
        raise RuntimeError("the job's own error")
    return connection.schema_name


@pytest.fixture
def nothing_remembered():
    tasks.forget_known_tenants()
    yield
    tasks.forget_known_tenants()


def registry_lookups(context: CaptureQueriesContext) -> int:
    return sum('"tenants_tenant"' in query["sql"] for query in context.captured_queries)


def test_a_tenant_is_looked_up_once_then_remembered(db, nothing_remembered):
    with CaptureQueriesContext(connection) as first:
        assert current_schema(schema_name="alpha") == "alpha"
    with CaptureQueriesContext(connection) as second:
        assert current_schema(schema_name="alpha") == "alpha"
    assert registry_lookups(first) == 1
    assert second.captured_queries == []


def test_an_unknown_schema_is_looked_up_every_time(db, nothing_remembered):
    for _ in range(2):
        with CaptureQueriesContext(connection) as lookup, pytest.raises(TenantGone):
            current_schema(schema_name="no_such_tenant")
        assert registry_lookups(lookup) == 1


def test_a_remembered_tenant_is_looked_up_again_after_a_few_seconds(
    db, nothing_remembered, monkeypatch
):
    now = [1000.0]
    monkeypatch.setattr(tasks.time, "monotonic", lambda: now[0])
    current_schema(schema_name="alpha")
    now[0] += tasks.KNOWN_TENANT_SECONDS + 1
    with CaptureQueriesContext(connection) as later:
        current_schema(schema_name="alpha")
    assert registry_lookups(later) == 1


def test_deleting_a_tenant_is_noticed_at_once(db, nothing_remembered):
    from tenants.models import Tenant

    current_schema(schema_name="beta")
    Tenant.objects.get(slug="beta").delete()
    with pytest.raises(TenantGone):
        current_schema(schema_name="beta")


def drop_behind_the_workers_back(slug: str) -> None:
    """What another process deleting the tenant looks like to this one: no signal."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM tenants_domain WHERE tenant_id IN "
            "(SELECT id FROM tenants_tenant WHERE slug = %s)",
            [slug],
        )
        cursor.execute("DELETE FROM tenants_tenant WHERE slug = %s", [slug])


def test_a_job_failing_because_its_remembered_tenant_was_dropped_fails_cleanly(
    db, nothing_remembered
):
    current_schema(schema_name="beta")
    drop_behind_the_workers_back("beta")
    with pytest.raises(TenantGone) as gone:
        current_schema(schema_name="beta", fail=True)
    assert isinstance(gone.value.__cause__, RuntimeError)
    with pytest.raises(TenantGone):  # and from then on it is not remembered
        current_schema(schema_name="beta")


def test_a_job_failing_for_its_own_reasons_keeps_its_error(db, nothing_remembered):
    current_schema(schema_name="alpha")
    with pytest.raises(RuntimeError, match="own error"):
        current_schema(schema_name="alpha", fail=True)


def test_a_worker_remembers_a_bounded_number_of_tenants(db, nothing_remembered, monkeypatch):
    """A worker that has run jobs for every tenant of a large platform does not keep one entry
    per tenant forever (#20, tenancy at scale): expired ones go first, and never more than
    KNOWN_TENANTS_MAX are kept."""
    now = [1000.0]
    monkeypatch.setattr(tasks.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(tasks, "KNOWN_TENANTS_MAX", 2)
    for schema in ("alpha", "beta", "public", "tenant_template", "alpha", "beta"):
        assert tasks.tenant_exists(schema)
        assert len(tasks._known_tenants) <= 2
        now[0] += 1
    now[0] += tasks.KNOWN_TENANT_SECONDS + 1
    assert tasks.tenant_exists("public")
    assert list(tasks._known_tenants) == ["public"]
