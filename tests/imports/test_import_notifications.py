"""An import tells whoever started it, in the notification list, when its check is done (with
what to do next) and when it is imported or failed, with a link to the job."""

import pytest

from accounts.models import Notification
from core.notifications import NotificationKind

from .conftest import csv_file, last_job

pytestmark = pytest.mark.django_db


def messages_for(user) -> list[str]:
    rows = Notification.objects.filter(recipient=user).order_by("pk")
    assert all(row.kind == NotificationKind.IMPORT_FINISHED for row in rows)
    return [row.message for row in rows]


def test_the_check_and_the_import_each_tell_their_actor(staff, upload, confirm, in_tenant):
    upload(staff, "customers", csv_file("name,country\nFresh Co,US\nNewer Co,DE\n", "new.csv"))
    job = last_job()
    assert messages_for(staff.user) == [
        "Import of customers from new.csv is checked: 2 new, 0 to update, 0 with errors. "
        "Review and confirm."
    ]
    assert Notification.objects.get(recipient=staff.user).url == job.get_absolute_url()
    confirm(staff, job)
    assert messages_for(staff.user)[1] == (
        "Import of customers from new.csv finished: 2 new, 0 updated, 0 unchanged."
    )


def test_a_check_with_errors_says_to_fix_the_file(staff, upload, in_tenant):
    upload(staff, "customers", csv_file("name,country\nBroken Co,Narnia\n", "bad.csv"))
    assert messages_for(staff.user)[0].endswith("1 with errors. Fix the file and upload it again.")


def test_a_check_that_fails_says_so(staff, upload, in_tenant, monkeypatch):
    import imports.services

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(imports.services, "execute", broken)
    upload(staff, "customers", csv_file("name,country\nFresh Co,US\n", "odd.csv"))
    assert last_job().status == "failed"
    assert messages_for(staff.user) == [
        "Import of customers from odd.csv failed: The file could not be checked because of an "
        "unexpected error."
    ]
