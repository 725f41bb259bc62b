"""A tenant's backup carries its stored files (documents' versions, company logos), and a
restore writes them back: a document downloaded after a restore is the one backed up."""

import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import StaffRole
from tenants.backup import BackupError, tenant_restore
from tenants.models import Domain, Tenant
from tenants.services import tenant_provision
from tests.factories import CustomerFactory, UserFactory

SLUG = "backup-files"


@pytest.fixture
def backed_up(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        tenant = tenant_provision(slug=SLUG, name="Backup Files", owner_email="o@files.example")
        yield tenant
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA IF EXISTS "backup_files" CASCADE')
            cursor.execute('DROP SCHEMA IF EXISTS "backup_files__before_restore" CASCADE')
        Domain.objects.filter(tenant__slug=SLUG).delete()
        Tenant.objects.filter(slug=SLUG).delete()


def test_document_files_and_logos_are_backed_up_and_restored(backed_up, tmp_path):
    from documents import services
    from tests.documents.helpers import pdf

    with schema_context(backed_up.schema_name):
        customer = CustomerFactory(name="Files Ltd")
        document = services.document_create(
            actor=UserFactory(role=StaffRole.ADMIN),
            record_type="customer",
            record_id=customer.pk,
            file=pdf(),
            title="MSA",
        )
        key = document.current.file.name
        logo = storages["default"].save("logos/mark.png", ContentFile(b"logo bytes"))
    backup = tmp_path / "backup.zip"
    call_command("tenant_backup", SLUG, output=backup)
    with zipfile.ZipFile(backup) as archive:
        names = set(archive.namelist())
    assert f"files/documents/{key}" in names
    assert f"files/default/{logo}" in names

    with schema_context(backed_up.schema_name):
        storages["documents"].delete(key)
        storages["default"].delete(logo)
    call_command("tenant_restore", str(backup), replace=True)
    with schema_context(backed_up.schema_name):
        assert storages["documents"].open(key).read().startswith(b"%PDF-1.4")
        assert storages["default"].open(logo).read() == b"logo bytes"


def test_a_backup_with_a_file_outside_the_tenant_is_refused(backed_up, tmp_path):
    backup = tmp_path / "backup.zip"
    call_command("tenant_backup", SLUG, output=backup)
    with zipfile.ZipFile(backup, "a") as archive:
        archive.writestr("files/documents/other_tenant/documents/stolen", b"x")
    with pytest.raises(BackupError, match="should not"):
        tenant_restore(path=backup, replace=True)
