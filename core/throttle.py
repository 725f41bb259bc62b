"""Rate limiting in one statement per request.

DRF's throttles keep each key's request history in the cache; with the database cache that
is four queries per API request, one of them a ``COUNT(*)`` of the whole cache table (the
cache's culling check). Here a request is one UPSERT on (key, window) in ``RateCounter``
that returns this window's count and the previous window's: the rate is judged over a sliding
window (the previous window's count weighted by how much of it still overlaps), so a burst
at a window's edge does not get twice the limit. Old windows are deleted by a periodic task
(``core.tasks.purge_rate_counters``), never on a request.
"""

from __future__ import annotations

from django.db import connection

# Rates are per second, minute, hour or day: a counter two days old is never read again.
KEEP_SECONDS = 2 * 86400

# Hits stop being counted one past the limit: a client that keeps hammering is not held off
# longer than the windows its allowed requests fell in.
UPSERT = """
INSERT INTO {table} (key, "window", hits) VALUES (%(key)s, %(window)s, 1)
ON CONFLICT (key, "window") DO UPDATE SET hits = LEAST({table}.hits + 1, %(ceiling)s)
RETURNING hits, (
    SELECT previous.hits FROM {table} AS previous
    WHERE previous.key = %(key)s AND previous."window" = %(previous)s
)
"""


def _table() -> str:
    from core.models import RateCounter

    quote = connection.ops.quote_name
    return f"{quote('public')}.{quote(RateCounter._meta.db_table)}"


def count_request(key: str, *, limit: int, duration: int, now: float) -> tuple[bool, float]:
    """Count one request under ``key``; whether it is within ``limit`` requests per
    ``duration`` seconds, and (when not) how many seconds until one would be."""
    into = now % duration
    window = int(now - into)  # the window's start, in Unix seconds
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT.format(table=_table()),
            {"key": key, "window": window, "previous": window - duration, "ceiling": limit + 1},
        )
        hits, previous = cursor.fetchone()
    previous = previous or 0
    overlap = 1 - into / duration  # the share of the previous window still inside the rate
    if previous * overlap + hits <= limit:
        return True, 0.0
    if hits > limit or not previous:
        return False, duration - into  # this window is full: wait for the next one
    # Wait until enough of the previous window has slid out.
    needed = 1 - (limit - hits) / previous
    return False, max(0.0, min(duration - into, needed * duration - into + 1e-3))


def purge_before(*, now: float, keep_seconds: int = KEEP_SECONDS) -> int:
    """Delete the counters of windows that started more than ``keep_seconds`` ago."""
    from core.models import RateCounter

    return RateCounter.objects.filter(window__lt=int(now - keep_seconds)).delete()[0]
