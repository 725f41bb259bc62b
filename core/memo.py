"""Facts read once per unit of work: inside ``with memo_scope():`` (one poll of the support
mailbox, one batch of a bulk job) ``memoized(key, compute)`` computes a value the first time
and hands back the same value after that; outside a scope it always computes. For facts that
may go a few seconds stale without harm (which webhooks listen, who works tickets, a
company's SLA policy), never for anything a write checks under a lock.

Values are kept per tenant schema, so a scope that spans tenants never mixes them."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db import connection

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("clientele_memo", default=None)


@contextmanager
def memo_scope() -> Iterator[None]:
    """Remember ``memoized`` values until the block ends (nested scopes share the outer one)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    store = _memo.get()
    if store is None:
        return compute()
    full_key = (connection.schema_name, key)
    if full_key not in store:
        store[full_key] = compute()
    return store[full_key]


def remember(key: Hashable, value: object) -> None:
    """Give ``memoized(key, …)`` its value ahead of time (one query for a whole batch's
    keys instead of one each); nothing outside a scope."""
    store = _memo.get()
    if store is not None:
        store[(connection.schema_name, key)] = value
