"""Spare schemas: provisioning renames a ready, current spare instead of cloning the template;
a spare the migrations left behind is never handed out; with none ready it clones as before."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from accounts.models import User
from tenants.services import tenant_provision
from tenants.spares import refill_spares, spare_schemas

pytestmark = pytest.mark.django_db


def table_count(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [schema]
        )
        return cursor.fetchone()[0]


def test_provisioning_takes_a_current_spare_and_the_refill_replaces_stale_ones(
    settings, django_capture_on_commit_callbacks
):
    settings.TENANT_SPARE_SCHEMAS = 2
    assert refill_spares() == 2
    stale, ready = spare_schemas()
    with connection.cursor() as cursor:  # as if a migration ran after this spare was made
        cursor.execute(f'DELETE FROM "{stale}".django_migrations WHERE id = (SELECT max(id) FROM "{stale}".django_migrations)')  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        tenant = tenant_provision(slug="epsilon", name="Epsilon", owner_email="o@epsilon.example")
    assert tenant.took_spare and not schema_exists(ready)
    assert table_count("epsilon") == table_count("tenant_template") > 10
    with schema_context("epsilon"):
        assert list(User.objects.values_list("email", flat=True)) == ["o@epsilon.example"]
    refreshed = spare_schemas()
    assert len(refreshed) == 2 and stale not in refreshed  # refilled after the commit

    settings.TENANT_SPARE_SCHEMAS = 0
    refill_spares()
    assert spare_schemas() == []
    tenant = tenant_provision(slug="zeta", name="Zeta", owner_email="o@zeta.example")
    assert not tenant.took_spare and table_count("zeta") == table_count("tenant_template")


def test_one_queued_refill_is_enough(settings):
    from django.db import transaction
    from procrastinate.contrib.django.models import ProcrastinateJob

    from tenants.tasks import queue_refill

    settings.TASKS_RUN_INLINE = False
    for _ in range(2):  # the second provisioning in a row finds the refill already queued
        with transaction.atomic():
            queue_refill()
    jobs = ProcrastinateJob.objects.filter(task_name="tenants.tasks.refill_spare_schemas")
    assert jobs.count() == 1 and jobs.get().status == "todo"
