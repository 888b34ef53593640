"""Results without ``None``: absent members are left out, never sent as null.

This is a property of the data the resource layer builds, not of the wire, so it lives below both
the protocol (whose serializer prunes every result) and the backend (whose large results are
built without ``None`` and marked :class:`Pruned`, so the serializer need not walk them again).
"""

from __future__ import annotations

from typing import Any


class Pruned(dict[str, Any]):
    """A result (or part of one) built without ``None`` at any depth: :func:`prune` keeps it as is.

    Handlers that build large responses from engine state (DescribeJobs, ListJobs) leave absent
    members out as they build them and mark the result, so the serializer does not walk every
    member of 100 jobs a second time. Anything not marked is pruned as usual.
    """

    __slots__ = ()


def prune(value: Any) -> Any:
    """A copy of ``value`` without ``None`` members (absent members are left out, never null).

    A :class:`Pruned` value is returned as is: whoever built it left ``None`` out already.
    """
    if type(value) is dict:
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(v) for v in value if v is not None]
    if isinstance(value, dict) and not isinstance(value, Pruned):
        return {k: prune(v) for k, v in value.items() if v is not None}
    return value
