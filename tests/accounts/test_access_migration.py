"""The migrations that give users history and a customer-access setting and add teams run on a
tenant that already has data (demo customers, staff): nothing is lost, everyone keeps seeing
every customer, and they can be rolled back."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import StaffRole, User
from customers.demo import create_demo_customers
from customers.models import Customer
from tests.factories import UserFactory

BEFORE = [("accounts", "0002_api_token"), ("customers", "0003_dashboard_figures")]
AFTER = [("accounts", "0003_user_history_customer_access"), ("customers", "0004_teams")]


def migrate(targets) -> None:
    with connection.cursor() as cursor:  # rows written in this test's transaction are checked
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # now, so their tables may be altered
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def test_the_access_migrations_run_forward_and_back_on_a_tenant_with_data(in_tenant):
    create_demo_customers(count=40, seed=7)
    staff = [UserFactory(role=role) for role in StaffRole.values]
    customers_before = Customer.objects.count()

    migrate(BEFORE)
    assert "customer_access" not in columns("accounts_user")
    assert "customers_team" not in tables()
    assert "accounts_historicaluser" not in tables()

    migrate(AFTER)
    assert "customers_team" in tables() and "accounts_historicaluser" in tables()
    assert Customer.objects.count() == customers_before
    for user in staff:
        assert User.objects.get(pk=user.pk).customer_access == "all"
    # Unlimited as before: the staff user sees every customer.
    from core.scope import scope_for

    viewer = User.objects.get(pk=staff[-1].pk)
    assert Customer.objects.restrict(scope_for(viewer)).count() == customers_before
