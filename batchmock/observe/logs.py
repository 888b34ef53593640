"""A job's log lines as CloudWatch Logs (moto's backend, in this process) holds them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def read(
    account: str, region: str, streams: Sequence[tuple[str, str]], limit: int
) -> dict[str, Any]:
    """The events of ``(stream, group)`` pairs in order: ``{"events": [...], "truncated": n}``.

    Nothing is created: a stream moto does not have (no line written yet) reads as empty.
    """
    events: list[dict[str, Any]] = []
    left_out = 0
    if not streams:
        return {"events": events, "truncated": 0}
    try:
        from moto.logs.models import logs_backends
    except ImportError:  # pragma: no cover - moto is a dependency
        return {"events": events, "truncated": 0}
    if account not in logs_backends or region not in logs_backends[account]:
        return {"events": events, "truncated": 0}
    backend = logs_backends[account][region]
    for stream_name, group_name in streams:
        group = backend.groups.get(group_name)
        stream = None if group is None else group.streams.get(stream_name)
        if stream is None:
            continue
        for event in list(stream.events):
            if len(events) >= limit:
                left_out += 1
                continue
            events.append(
                {
                    "timestamp": event.timestamp,
                    "message": event.message,
                    "logStreamName": stream_name,
                }
            )
    return {"events": events, "truncated": left_out}
