"""migrate_schemas' batch executor (tenants/migration_executor.py): schemas that stand at the
same migrations get one plan and its SQL, each in a transaction of its own with its
``django_migrations`` rows; a schema at other migrations is migrated the standard way."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from tenants.migration_executor import BatchExecutor, get_executor

pytestmark = pytest.mark.django_db
BEHIND = ("tickets", "0006_mail_in_settings")  # 0007 adds search indexes, 0008 changes no SQL
INDEX = "ticket_subject_uc_trgm"
OPTIONS = {"verbosity": 1, "database": "default", "interactive": False, "app_label": None}


def move_back(schema: str, target=BEHIND) -> None:
    connection.set_schema(schema)
    with connection.cursor() as cursor:  # this test's rows are checked now, so tables may change
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    connection.set_schema_to_public()


def state(schema: str) -> tuple[bool, set[str]]:
    connection.set_schema(schema)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE schemaname = %s AND indexname = %s", [schema, INDEX]
        )
        has_index = cursor.fetchone() is not None
    tickets = {
        name for app, name in MigrationRecorder(connection).applied_migrations() if app == "tickets"
    }
    connection.set_schema_to_public()
    return has_index, tickets


def test_it_is_the_default_and_named_executors_still_choose_django_tenants_own():
    assert get_executor() is BatchExecutor
    assert get_executor("multiprocessing").codename == "multiprocessing"


def test_schemas_at_the_same_migrations_get_the_same_sql_in_one_pass(tenant, other_tenant, capsys):
    for schema in (tenant.schema_name, other_tenant.schema_name):
        move_back(schema)
        assert state(schema) == (False, state(schema)[1] - {"0007_search_index_uppercase"})
    BatchExecutor((), OPTIONS).run_migrations([tenant.schema_name, other_tenant.schema_name])
    said = capsys.readouterr().out
    assert "2 schemas at the same migrations; applying tickets.0007_search_index_uppercase" in said
    for schema in (tenant.schema_name, other_tenant.schema_name):
        has_index, applied = state(schema)
        assert has_index
        assert {"0007_search_index_uppercase", "0008_ticket_opened_at_build"} <= applied


def test_each_group_of_schemas_gets_its_own_plan(tenant, other_tenant, capsys):
    move_back(tenant.schema_name)
    move_back(other_tenant.schema_name, ("tickets", "0007_search_index_uppercase"))
    call_command("migrate_schemas", interactive=False, verbosity=1)
    said = capsys.readouterr().out
    assert "schemas: no migrations to apply." in said  # the template, at the newest migrations
    assert "applying tickets.0007_search_index_uppercase, tickets.0008" in said
    assert "1 schemas at the same migrations; applying tickets.0008_ticket_opened_at_build" in said
    assert "[standard:" not in said.replace("[standard:public]", "")
    for schema in (tenant.schema_name, other_tenant.schema_name):
        has_index, applied = state(schema)
        assert has_index
        assert {"0007_search_index_uppercase", "0008_ticket_opened_at_build"} <= applied


def test_fake_and_the_like_go_the_standard_way(tenant, capsys):
    move_back(tenant.schema_name)
    call_command("migrate_schemas", interactive=False, verbosity=1, fake=True)
    said = capsys.readouterr().out
    assert "[batch]" not in said
    assert (
        f"standard:{tenant.schema_name}]   Applying tickets.0007_search_index_uppercase... FAKED"
        in said
    )
    assert state(tenant.schema_name)[0] is False  # faked: recorded, not run
