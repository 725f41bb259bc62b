"""The timeline: entries of the customer and of its locations and assets, merged with the
record's history, filtered, paged by keyset cursor in a constant number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from activity import services
from activity.models import Entry
from activity.timeline import Position, timeline_page
from activity.views import history_sources_of
from tests.factories import AssetFactory, LocationFactory

pytestmark = pytest.mark.django_db

CURSOR = re.compile(r'activity-cursor=([^"#&]+)')


def bulk_notes(customer, author, count, *, at=None, **record):
    at = at or timezone.now()
    Entry.objects.bulk_create(
        Entry(
            customer=None if record else customer,
            **record,
            kind="note",
            author=author,
            body=f"Note {n}",
            body_html=f"<p>Note {n}</p>",
            occurred_at=at - datetime.timedelta(seconds=n),
        )
        for n in range(count)
    )


def walk(customer, filter_key="all"):
    """Every item of the customer's timeline, page by page (cursor to cursor)."""
    entries = Entry.objects.around_customer(customer)
    seen, cursor = [], ""
    while True:
        page = timeline_page(
            entries=entries,
            history_sources=history_sources_of(customer),
            record=customer,
            filter_key=filter_key,
            cursor=cursor,
        )
        seen += [(item.kind, item.rank, item.pk) for item in page.items]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


def test_the_customer_timeline_shows_its_locations_and_assets_entries_labelled(client_as, customer):
    client = client_as(StaffRole.STAFF)
    location = LocationFactory(customer=customer, name="Main office")
    asset = AssetFactory(owner=customer, location=None, name="Core switch")
    services.note_create(
        actor=client.user, record_type="location", record_id=location.pk, body="Door code changed"
    )
    services.note_create(
        actor=client.user, record_type="asset", record_id=asset.pk, body="Firmware updated"
    )
    page = client.get(reverse("customers:customer_activity", args=[customer.pk]))
    html = page.content.decode()
    assert "Door code changed" in html and "Location Main office" in html
    assert "Firmware updated" in html and "Asset Core switch" in html
    assert "Created" in html  # the customer's own history, merged


def test_filters_show_notes_calls_tasks_or_changes(staff, customer):
    services.note_create(actor=staff, record_type="customer", record_id=customer.pk, body="N")
    services.call_log(actor=staff, record_type="customer", record_id=customer.pk)
    services.task_create(
        actor=staff,
        record_type="customer",
        record_id=customer.pk,
        title="T",
        assignee_id=staff.pk,
        due_date=timezone.localdate(),
    )
    kinds = {key: {kind for kind, _, _ in walk(customer, key)} for key in
             ("all", "notes", "calls", "tasks", "changes")}  # fmt: skip
    assert kinds == {
        "all": {"note", "call", "task", "change"},
        "notes": {"note"},
        "calls": {"call"},
        "tasks": {"task"},
        "changes": {"change"},
    }


def test_paging_shows_every_item_once_even_when_times_tie(staff, customer):
    same_instant = timezone.now()
    bulk_notes(customer, staff, 40, at=same_instant)
    Entry.objects.filter(customer=customer).update(occurred_at=same_instant)
    customer.history.update(history_date=same_instant)  # ties across sources too
    seen = walk(customer)
    assert len(seen) == len(set(seen)) == 40 + customer.history.count()
    assert len(walk(customer, "notes")) == 40


def test_a_forged_or_foreign_cursor_starts_from_the_newest(client_as, customer):
    client = client_as(StaffRole.STAFF)
    bulk_notes(customer, client.user, 3)
    url = reverse("customers:customer_activity", args=[customer.pk])
    for cursor in ("garbage", Position(timezone.now(), 0, 1).dumps()[:-3] + "abc"):
        page = client.get(url, {"activity-cursor": cursor})
        assert page.status_code == 200 and "Note 0" in page.content.decode()


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_a_customer_with_10000_entries_pages_in_constant_queries(client_as, customer):
    client = client_as(StaffRole.STAFF)
    url = reverse("customers:customer_activity", args=[customer.pk])
    location = LocationFactory(customer=customer)
    bulk_notes(customer, client.user, 2)
    bulk_notes(customer, client.user, 2, location=location)
    small = _queries(client, url)
    bulk_notes(customer, client.user, 10_000, at=timezone.now() - datetime.timedelta(days=1))
    bulk_notes(customer, client.user, 50, location=location)
    first = _queries(client, url)
    # Walk 30 pages deep by the cursors the pages print, then measure the deepest.
    params = {}
    for _ in range(30):
        html = client.get(url, params).content.decode()
        params = {"activity-cursor": CURSOR.search(html).group(1).replace("%3A", ":")}
    deep = _queries(client, url, params)
    # The count depends on which sources a page draws from (changes cost their diff), never
    # on how many entries there are: a page of 10,000 is no dearer than a page of four.
    assert deep <= first <= small
    for filter_key in ("notes", "calls", "tasks", "changes"):
        assert _queries(client, url, {"activity": filter_key}) <= small


def test_location_and_asset_pages_show_their_own_timeline(client_as, customer):
    client = client_as(StaffRole.STAFF)
    location = LocationFactory(customer=customer)
    asset = AssetFactory(location=location)
    services.note_create(
        actor=client.user, record_type="asset", record_id=asset.pk, body="Asset only note"
    )
    services.note_create(
        actor=client.user, record_type="location", record_id=location.pk, body="Location note"
    )
    asset_page = client.get(asset.get_absolute_url()).content.decode()
    location_page = client.get(location.get_absolute_url()).content.decode()
    assert "Asset only note" in asset_page and "Location note" not in asset_page
    assert "Location note" in location_page and "Asset only note" not in location_page
    assert 'id="activity"' in asset_page and 'id="activity"' in location_page
