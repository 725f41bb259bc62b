"""Per-tenant backup and restore with the real pg_dump / pg_restore: data lost after a backup
comes back, a tenant that is gone is recreated, and a bad file or a missing --replace changes
nothing. The work is committed (pg_dump reads from its own connection), so the tenant is made
and dropped outside the test transaction."""

import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from customers.models import Customer
from tenants.models import Domain, Tenant
from tenants.services import tenant_provision
from tests.factories import CustomerFactory

SLUG = "backup-check"


@pytest.fixture
def backed_up(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        tenant = tenant_provision(slug=SLUG, name="Backup Check", owner_email="o@backup.example")
        with schema_context(tenant.schema_name):
            CustomerFactory(name="Kept Ltd")
            CustomerFactory(name="Precious Co")
        yield tenant
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA IF EXISTS "backup_check" CASCADE')
            cursor.execute('DROP SCHEMA IF EXISTS "backup_check__before_restore" CASCADE')
        Domain.objects.filter(tenant__slug=SLUG).delete()
        Tenant.objects.filter(slug=SLUG).delete()


def names(tenant) -> list[str]:
    with schema_context(tenant.schema_name):
        return sorted(Customer.objects.values_list("name", flat=True))


def test_a_restore_brings_back_what_was_lost_and_a_gone_tenant(backed_up, tmp_path):
    backup = tmp_path / "backup.zip"
    call_command("tenant_backup", SLUG, output=backup)
    with schema_context(backed_up.schema_name):
        Customer.objects.filter(name="Precious Co").delete()
        CustomerFactory(name="After The Backup")

    with pytest.raises(CommandError, match="--replace"):
        call_command("tenant_restore", str(backup))
    assert names(backed_up) == ["After The Backup", "Kept Ltd"]

    call_command("tenant_restore", str(backup), replace=True)
    assert names(backed_up) == ["Kept Ltd", "Precious Co"]
    assert not schema_exists("backup_check__before_restore")

    # The whole tenant is gone (schema, record, host): the backup recreates it.
    with connection.cursor() as cursor:
        cursor.execute('DROP SCHEMA "backup_check" CASCADE')
    Domain.objects.filter(tenant=backed_up).delete()
    Tenant.objects.filter(pk=backed_up.pk).delete()
    call_command("tenant_restore", str(backup))
    restored = Tenant.objects.get(slug=SLUG)
    assert restored.name == "Backup Check" and restored.schema_name == "backup_check"
    assert Domain.objects.get(tenant=restored).domain == "backup-check.localhost"
    assert names(restored) == ["Kept Ltd", "Precious Co"]


def test_bad_backups_are_refused_and_change_nothing(backed_up, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all" * 100)
    with pytest.raises(CommandError, match="Cannot read the backup"):
        call_command("tenant_restore", str(junk), replace=True)

    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(CommandError, match="not a Clientele tenant backup"):
        call_command("tenant_restore", str(other), replace=True)

    # A genuine manifest with a damaged dump: the old data stays, nothing is left aside.
    good = tmp_path / "good.zip"
    call_command("tenant_backup", SLUG, output=good)
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        target.writestr("manifest.json", source.read("manifest.json"))
        target.writestr("schema.pgdump", source.read("schema.pgdump")[:5000])
    with pytest.raises(CommandError, match="pg_restore failed"):
        call_command("tenant_restore", str(broken), replace=True)
    assert names(backed_up) == ["Kept Ltd", "Precious Co"]
    assert not schema_exists("backup_check__before_restore")

    with pytest.raises(CommandError, match="No tenant"):
        call_command("tenant_backup", "nobody-here", output=tmp_path / "x.zip")


def test_operators_download_a_backup_from_the_platform_admin(backed_up, tmp_path):
    from django.db import transaction
    from django.test import Client

    from accounts.models import User

    connection.set_schema_to_public()
    with transaction.atomic():  # the operator is rolled back; the tenant's data is committed
        operator = User.objects.create_superuser(email="op@platform.example", password="x")
        client = Client(HTTP_HOST="localhost")
        client.force_login(operator)
        response = client.post(
            "/admin/tenants/tenant/",
            {"action": "download_backup", "_selected_action": [backed_up.pk]},
        )
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="backup-check-')
        backup = tmp_path / "downloaded.zip"
        backup.write_bytes(b"".join(response.streaming_content))
        both = Tenant.objects.filter(slug__in=[SLUG, "alpha"]).values_list("pk", flat=True)
        response = client.post(
            "/admin/tenants/tenant/",
            {"action": "download_backup", "_selected_action": list(both)},
            follow=True,
        )
        assert "Select exactly one tenant" in response.content.decode()
        transaction.set_rollback(True)

    with schema_context(backed_up.schema_name):
        Customer.objects.all().delete()
    call_command("tenant_restore", str(backup), replace=True)
    assert names(backed_up) == ["Kept Ltd", "Precious Co"]
