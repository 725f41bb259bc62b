"""One world for the whole isolation package: its records and everyone's sessions and tokens
are built once, inside a transaction that stays open while the package's tests run and is
rolled back after the last one. Each test runs in a savepoint of it, rolled back at its end,
so whatever a request writes is gone before the next test and only the world stays.

``db`` is overridden here to be that savepoint: it is pytest-django's signal that a test
needs the test database, and ours rolls back the same way without building a test case class
and checking constraints per test (a few milliseconds each, over thousands of tests).
"""

import pytest
from django.db import connection, transaction

from tenants.models import Tenant

from .actors import sign_in_everyone
from .world import build_world


@pytest.fixture(scope="package")
def _world_and_credentials(django_db_setup, django_db_blocker):
    django_db_blocker.unblock()
    outer = transaction.atomic()
    outer.__enter__()
    try:
        world = build_world(Tenant.objects.get(slug="alpha"), Tenant.objects.get(slug="beta"))
        credentials = sign_in_everyone(world)
        connection.set_schema_to_public()
        yield world, credentials
    finally:
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
        connection.set_schema_to_public()
        django_db_blocker.restore()


@pytest.fixture
def db(_world_and_credentials):
    """This package's tests run in a savepoint of the world's transaction."""
    test = transaction.atomic()
    test.__enter__()
    yield
    transaction.set_rollback(True)
    test.__exit__(None, None, None)
    connection.set_schema_to_public()


@pytest.fixture
def world(_world_and_credentials, db):
    return _world_and_credentials[0]


@pytest.fixture
def credentials(_world_and_credentials, db):
    return _world_and_credentials[1]
