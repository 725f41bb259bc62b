"""API rate limiting costs one query per request (an UPSERT of the token's counter), never a
COUNT(*) of the cache table, and still answers 429 past the limit: per token, per tenant,
over a sliding window."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import StaffRole
from core.api.policy import TokenRateThrottle
from core.models import RateCounter
from core.throttle import count_request, purge_before

pytestmark = pytest.mark.django_db
LIST = "/api/v1/customers/"


@pytest.fixture
def three_per_minute(monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})


def test_the_fourth_request_in_a_minute_is_refused(api_as, three_per_minute):
    client = api_as(StaffRole.VIEWER)
    assert [client.get(LIST).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(LIST)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # Another token of the same tenant has its own allowance.
    assert api_as(StaffRole.VIEWER).get(LIST).status_code == 200


def test_a_request_runs_one_throttle_query_and_no_count(api_as):
    client = api_as(StaffRole.VIEWER)
    client.get(LIST)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    assert not [sql for sql in statements if "clientele_cache" in sql]
    assert not [sql for sql in statements if "COUNT(*)" in sql.upper() and "cache" in sql]
    throttle = [sql for sql in statements if "core_ratecounter" in sql]
    assert len(throttle) == 1 and throttle[0].lstrip().startswith("INSERT")


def test_counters_are_kept_per_tenant(api_as, other_tenant, three_per_minute):
    client = api_as(StaffRole.VIEWER)
    for _ in range(3):
        client.get(LIST)
    keys = set(RateCounter.objects.values_list("key", flat=True))
    assert keys and all(key.startswith("alpha:") for key in keys), keys


def test_the_window_slides():
    """A minute's limit of 10: 10 requests late in one minute leave little room early in the
    next, and room comes back as the previous minute slides out."""
    key = "test:sliding"
    start = 6_000_000.0  # a window boundary (a multiple of 60)
    for second in range(10):
        assert count_request(key, limit=10, duration=60, now=start + 50 + second * 0.5)[0]
    assert not count_request(key, limit=10, duration=60, now=start + 59)[0]
    # Five seconds into the next minute 92% of the last one still counts: refused.
    allowed, wait = count_request(key, limit=10, duration=60, now=start + 65)
    assert not allowed and 0 < wait <= 55
    # Half-way through, half of it counts (5.5) plus this minute's two: allowed.
    assert count_request(key, limit=10, duration=60, now=start + 90)[0]


def test_hammering_past_the_limit_does_not_grow_the_counter():
    key = "test:hammer"
    for _ in range(50):
        count_request(key, limit=3, duration=60, now=6_000_010.0)
    assert RateCounter.objects.get(key=key).hits == 4


def test_old_counters_are_purged():
    now = time.time()
    count_request("test:old", limit=3, duration=60, now=now - 3 * 86400)
    count_request("test:new", limit=3, duration=60, now=now)
    assert purge_before(now=now) == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["test:new"]


def test_the_worker_purges_old_counters_every_hour():
    from procrastinate.contrib.django import app

    import core.tasks

    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["core.tasks.purge_rate_counters"] == "41 * * * *"
    count_request("test:stale", limit=3, duration=60, now=time.time() - 5 * 86400)
    assert core.tasks.purge_rate_counters(timestamp=int(time.time())) >= 1
    assert not RateCounter.objects.filter(key="test:stale").exists()
