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
    jobs = ProcrastinateJob.objects.filter(task_name="tenants.tasks.refill_spare_schemas").exclude(
        args__has_key="timestamp"  # the periodic refill a worker may have deferred: not ours
    )
    assert jobs.count() == 1 and jobs.get().status == "todo"


def catalog(schema: str) -> dict:
    """What a schema holds, by kind: relations (tables, indexes, sequences), constraints,
    column defaults, and the migrations it records."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE n.nspname = %s GROUP BY 1 ORDER BY 1",
            [schema],
        )
        relations = cursor.fetchall()
        cursor.execute(
            "SELECT con.contype, count(*) FROM pg_constraint con JOIN pg_namespace n ON n.oid = "
            "con.connamespace WHERE n.nspname = %s GROUP BY 1 ORDER BY 1",
            [schema],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s "
            "AND column_default LIKE %s",
            [schema, f"%{schema}.%"],
        )
        own_defaults = cursor.fetchone()[0]
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY app, name')
        migrations = cursor.fetchall()
    return {
        "relations": relations,
        "constraints": constraints,
        "own_defaults": own_defaults,
        "migrations": migrations,
    }


def test_a_spare_is_a_full_copy_of_the_template_pointing_at_itself(settings):
    """Spares are made from the template dumped once (a fixed amount of DDL however many
    tenants exist): the same tables, indexes, sequences, constraints and migration records,
    and its columns' defaults use its own sequences, never the template's."""
    settings.TENANT_SPARE_SCHEMAS = 1
    refill_spares()
    (spare,) = spare_schemas()
    template, copy = catalog("tenant_template"), catalog(spare)
    assert copy["relations"] == template["relations"]
    assert copy["constraints"] == template["constraints"]
    assert copy["migrations"] == template["migrations"] != []
    assert copy["own_defaults"] == template["own_defaults"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s "
            "AND column_default LIKE %s",
            [spare, "%tenant_template%"],
        )
        assert cursor.fetchone()[0] == 0
    tenant = tenant_provision(slug="eta", name="Eta", owner_email="o@eta.example")
    assert tenant.took_spare
    with schema_context("eta"):
        assert User.objects.get().email == "o@eta.example"


def test_a_provisioned_tenants_indexes_and_constraints_carry_the_templates_names(tenant):
    """Cloning names indexes and unique constraints anew; they are renamed back, so a later
    migration that removes one by name works on every tenant (documents 0001 rolled back
    failed on 'document_version_number_unique' before)."""

    def names(schema: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s", [schema])
            return {row[0] for row in cursor.fetchall()}

    template = names("tenant_template")
    assert "document_version_number_unique" in template
    assert names(tenant.schema_name) == template


def test_restore_index_names_renames_an_earlier_clones_generated_names_once(tenant):
    """Tenants cloned before the names were restored keep clone_schema()'s names until the
    one-off command runs; running it again changes nothing."""
    from io import StringIO

    from django.core.management import call_command

    schema = tenant.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            f'ALTER INDEX "{schema}".document_version_number_unique '
            "RENAME TO documents_documentversion_document_id_number_key"
        )
    first, again = StringIO(), StringIO()
    call_command("restore_index_names", stdout=first)
    call_command("restore_index_names", stdout=again)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
            [schema, "documents_documentversion"],
        )
        indexes = {row[0] for row in cursor.fetchall()}
    assert "document_version_number_unique" in indexes
    assert "documents_documentversion_document_id_number_key" not in indexes
    assert first.getvalue().startswith("Renamed 1 index in 1 of ")
    assert again.getvalue().startswith("Renamed 0 indexes in 0 of ")
