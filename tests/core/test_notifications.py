"""The in-app notification list (core.notifications): each user's own, a bell that counts the
unread ones (loaded after the page, so no page pays for it), opening one marks it read and
follows its link on this site only, and old read ones are pruned."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

import core.bulk
from accounts.models import Notification, StaffRole
from core.notifications import NotificationKind, notify, prune_read
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("notifications:list", urlconf="config.urls_tenant")
BELL = reverse("notifications:bell", urlconf="config.urls_tenant")


def tell(user, message="Export of customers is ready: 12 rows.", url="/lists/exports/1/"):
    notify([user], kind=NotificationKind.EXPORT_READY, message=message, url=url)
    return Notification.objects.filter(recipient=user).latest("pk")


def test_the_bell_counts_the_user_s_unread_notifications_only(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    someone_else = UserFactory(role=StaffRole.STAFF)
    empty = client.get(BELL).content.decode()
    assert 'data-unread="0"' in empty and 'bi-bell"' in empty and "unread<" not in empty
    tell(client.user)
    tell(client.user, "Second")
    tell(someone_else, "Not yours")
    bell = client.get(BELL).content.decode()
    assert 'data-unread="2"' in bell and "Notifications: 2 unread" in bell
    page = client.get(LIST).content.decode()
    assert "Export of customers is ready" in page and "Second" in page
    assert "Not yours" not in page and page.count(">New</span>") == 2


def test_every_console_page_loads_the_bell_after_the_page(client_as, in_tenant):
    html = client_as(StaffRole.VIEWER).get("/").content.decode()
    assert f'hx-get="{BELL}"' in html and 'hx-trigger="load' in html


def test_a_big_count_is_capped_in_the_badge(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    Notification.objects.bulk_create(
        Notification(recipient=client.user, kind="export_ready", message=f"n{n}")
        for n in range(120)
    )
    bell = client.get(BELL).content.decode()
    assert "99+" in bell
    page = client.get(LIST).content.decode()
    assert "Page 1 of 5" in page and "Older" in page


def test_opening_one_marks_it_read_and_follows_its_link(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    notification = tell(client.user, url="/customers/?status=active")
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/customers/?status=active"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-unread="0"' in client.get(BELL).content.decode()


def test_a_link_off_this_site_is_never_followed(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    notification = tell(client.user, url="https://evil.example/phish")
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == LIST


def test_someone_else_s_notification_is_not_found_and_stays_unread(client_as, in_tenant):
    owner = client_as(StaffRole.OWNER)
    theirs = tell(UserFactory(role=StaffRole.STAFF))
    assert owner.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    tell(client.user)
    tell(client.user, "Second")
    other = tell(UserFactory(role=StaffRole.STAFF))
    assert "Mark all as read" in client.get(LIST).content.decode()
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=client.user, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    page = client.get(LIST).content.decode()
    assert "Mark all as read" not in page and ">New</span>" not in page


def test_an_empty_list_says_what_will_appear(client_as, in_tenant):
    page = client_as(StaffRole.ADMIN).get(LIST).content.decode()
    assert "No notifications yet" in page and "invoices fall overdue" in page
    staff = client_as(StaffRole.STAFF).get(LIST).content.decode()
    assert "invoices fall overdue" not in staff


def test_customer_users_have_no_notification_pages(portal_client, in_tenant):
    portal = portal_client(CustomerFactory(), "admin")
    assert portal.get(LIST).status_code == 403
    assert portal.get(BELL).status_code == 403


def test_inactive_users_and_repeats_are_not_notified(in_tenant):
    active = UserFactory(role=StaffRole.STAFF)
    gone = UserFactory(role=StaffRole.STAFF, is_active=False)
    written = notify([active, active, gone, None], kind=NotificationKind.EXPORT_READY, message="Hi")
    assert written == 1 and Notification.objects.filter(recipient=active).count() == 1


def test_pruning_removes_old_read_ones_and_keeps_unread_ones(in_tenant):
    user = UserFactory(role=StaffRole.STAFF)
    long_ago = timezone.now() - timedelta(days=120)
    old_read = tell(user, "old read")
    old_unread = tell(user, "old unread")
    recent_read = tell(user, "recent read")
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(created_at=long_ago)
    Notification.objects.filter(pk__in=[old_read.pk, recent_read.pk]).update(read_at=timezone.now())
    assert prune_read() == 1
    assert set(Notification.objects.filter(recipient=user).values_list("message", flat=True)) == {
        "old unread",
        "recent read",
    }


def test_a_bulk_change_run_in_the_background_notifies_its_actor(
    client_as, in_tenant, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(core.bulk, "INLINE_MAX", 2)
    client = client_as(StaffRole.STAFF)
    customers = [CustomerFactory(status="prospect") for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("lists:bulk", args=["customers.customer"]),
            {"action": "status", "value": "inactive", "ids": [c.pk for c in customers]},
        )
    notification = Notification.objects.get(recipient=client.user)
    assert notification.kind == NotificationKind.BULK_FINISHED
    assert notification.message == "Change status: Inactive finished: 3 of 3 rows changed."
    assert notification.url.startswith("/lists/jobs/")


def test_a_small_bulk_change_does_not_notify(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    customer = CustomerFactory(status="prospect")
    client.post(
        reverse("lists:bulk", args=["customers.customer"]),
        {"action": "status", "value": "inactive", "ids": [customer.pk]},
    )
    assert not Notification.objects.filter(recipient=client.user).exists()


def test_the_list_s_queries_do_not_grow_with_the_notifications(client_as, in_tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(StaffRole.STAFF)
    tell(client.user)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for n in range(20):
        tell(client.user, f"More {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    with CaptureQueriesContext(connection) as bell:
        client.get(BELL)
    assert len(many) == len(one)
    assert len(bell) <= len(one)
