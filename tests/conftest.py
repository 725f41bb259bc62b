"""Test tenants are provisioned once per session (cloned from the template schema, committed);
each test then runs inside a transaction that is rolled back."""

import time

import pytest
from django.db import connection, connections
from django.test import Client

from accounts.models import StaffRole
from accounts.tokens import api_token_create
from tenants.models import Tenant
from tenants.services import ensure_public_tenant, ensure_template_schema, tenant_provision

from . import xdist_db
from .factories import MembershipFactory, UserFactory

TEST_TENANTS = {"alpha": "Alpha Services", "beta": "Beta Services"}


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's test database, with the platform's tenants in it; under pytest-xdist
    the first worker builds it and the others copy it (tests/xdist_db.py)."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    keepdb = django_db_keepdb and not django_db_createdb
    shared = xdist_db.shares_a_database() and not keepdb
    first = xdist_db.is_first()
    db_cfg = None
    with django_db_blocker.unblock():
        if shared and not first:
            db_cfg = xdist_db.copy_built_database()
        if db_cfg is None:
            aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
            try:
                db_cfg = setup_databases(
                    verbosity=request.config.option.verbose,
                    interactive=False,
                    aliases=aliases,
                    serialized_aliases=serialized_aliases,
                    keepdb=keepdb,
                )
                provision_test_tenants()
            except BaseException:
                if shared and first:
                    xdist_db.note_build_failed()
                raise
            if shared and first:
                xdist_db.share_built_database()
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        end_other_sessions()
        if not keepdb:
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


def provision_test_tenants() -> None:
    ensure_public_tenant()
    ensure_template_schema()
    for slug, name in TEST_TENANTS.items():
        if not Tenant.objects.filter(slug=slug).exists():
            tenant_provision(slug=slug, name=name, owner_email=f"owner@{slug}.example")
    connection.set_schema_to_public()


def end_other_sessions(timeout: float = 10) -> None:
    """Let the test database be dropped: end every session still on it (the browser tests'
    server process; connections Django opened in other contexts, e.g. under Playwright)."""
    import psycopg

    name = connection.settings_dict["NAME"]
    connections.close_all()
    params = {k: v for k, v in connection.get_connection_params().items() if k != "context"}
    params.update(dbname="postgres", autocommit=True)
    params.pop("cursor_factory", None)
    with psycopg.connect(**params) as admin:
        query = "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        admin.execute(f"SELECT pg_terminate_backend(pid) {query}", [name])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if admin.execute(f"SELECT count(*) {query}", [name]).fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture(autouse=True)
def _public_schema_after_each_test():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def tenant(db) -> Tenant:
    return Tenant.objects.get(slug="alpha")


@pytest.fixture
def other_tenant(db) -> Tenant:
    return Tenant.objects.get(slug="beta")


@pytest.fixture
def in_tenant(tenant) -> Tenant:
    """Run the test body (factories, queries) inside the alpha tenant's schema."""
    connection.set_tenant(tenant)
    return tenant


def host_of(tenant: Tenant) -> str:
    return f"{tenant.slug}.localhost"


@pytest.fixture
def tenant_client(tenant) -> Client:
    return Client(HTTP_HOST=host_of(tenant))


@pytest.fixture
def public_client(db) -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def make_user(in_tenant):
    def make(role: str = StaffRole.STAFF, **fields):
        connection.set_tenant(in_tenant)
        return UserFactory(role=role, **fields)

    return make


@pytest.fixture
def client_as(tenant, make_user):
    """A client on the alpha host signed in as a new user with ``role``."""

    def sign_in(role: str) -> Client:
        user = make_user(role=role)
        client = Client(HTTP_HOST=host_of(tenant))
        connection.set_tenant(tenant)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def portal_client(tenant):
    """A client on the alpha host signed in as a new customer user of a company."""

    def sign_in(company, role: str = "admin", **fields) -> Client:
        connection.set_tenant(tenant)
        membership = MembershipFactory(customer=company, role=role, **fields)
        client = Client(HTTP_HOST="alpha.localhost")
        client.force_login(membership.user)
        client.user, client.membership = membership.user, membership
        return client

    return sign_in


@pytest.fixture
def api_as(tenant, make_user):
    """A client on alpha's host carrying a Bearer token of a new user with ``role``."""

    def make(role=StaffRole.STAFF, user=None) -> Client:
        connection.set_tenant(tenant)
        user = user or make_user(role=role)
        _, secret = api_token_create(user=user, name="test")
        client = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
        client.user, client.secret = user, secret
        return client

    return make
