"""A tiny event bus: apps announce what happened (``invoice.paid``, ``customer.updated``) and
whoever listens (webhooks) registers a sink in its ``AppConfig.ready()``, so an emitter never
imports a listener. With no sink registered, emitting does nothing.

An item is ``(obj, changes)``: the object and its field-by-field changes (a list of
``{"field", "old", "new"}``, or a callable computing them, so nobody computes them when
nobody listens). ``data`` gives an object's payload fields instead of its name. What a sink
does with an event, and when (webhooks: records deliveries now and queues them after
commit), is the sink's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

Changes = list[dict] | Callable[[], list[dict]] | None
Item = tuple[Any, Changes]


class EventSink(Protocol):
    def emit(self, event: str, items: list[Item], *, data: Callable[[Any], dict | None] | None):
        """Handle ``event`` for every item; return how many deliveries it made."""

    def listens(self, event: str) -> bool:
        """Whether anything would be done for ``event`` (to skip work in loops)."""


_sinks: list[EventSink] = []


def register_event_sink(sink: EventSink) -> None:
    if sink not in _sinks:
        _sinks.append(sink)


def emit_events(
    event: str,
    items: Iterable[Item],
    *,
    data: Callable[[Any], dict | None] | None = None,
) -> int:
    """``event`` for many objects at once (bulk actions, imports)."""
    if not _sinks:
        return 0
    items = list(items)
    return sum(sink.emit(event, items, data=data) or 0 for sink in _sinks)


def emit_event(event: str, *, obj, changes: Changes = None, data: dict | None = None) -> int:
    """``event`` for one object; ``data`` replaces its name in the payload."""
    return emit_events(event, [(obj, changes)], data=lambda _obj: data)


def anyone_listens(event: str) -> bool:
    """Whether any sink wants ``event`` (one check before a loop over many objects)."""
    return any(sink.listens(event) for sink in _sinks)
