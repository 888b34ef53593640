"""A validated request reduced to what the model defines: what handlers see and what is stored.

AWS ignores members its model does not know, at every depth, and an explicit null means absent.
:func:`modeled` makes the copy a handler receives: unknown members dropped inside every structure
(``containerProperties.zzUnknown``, inside ``computeResources``, list elements...) and ``None``
left out. The walk follows the model's shapes, so it is as deep as the model, never deeper. Each
shape is compiled once into a copying function (scalars are shared, not copied).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Optional

from botocore.model import ListShape, MapShape, Shape, StructureShape

from batchmock.pruned import prune

__all__ = ["modeled"]

# A compiled shape: the copy of a value, or None for a scalar shape (the value itself is kept).
_Copy = Optional[Callable[[Any], Any]]


def modeled(shape: Shape | None, value: Any) -> Any:
    """A copy of ``value`` (already validated against ``shape``) with only modeled members."""
    if shape is None:
        return {}
    copy = _compiled(shape)
    return value if copy is None else copy(value)


# Compiled per shape resolver (one per loaded service model: shape names are unique only within
# a model), as protocol.validation does; the weak key lets a discarded model take its copies.
_BY_RESOLVER: weakref.WeakKeyDictionary[Any, dict[str, _Copy]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _compiled(shape: Shape) -> _Copy:
    resolver = getattr(shape, "_shape_resolver", None)
    with _LOCK:
        done = _BY_RESOLVER.get(resolver) if resolver is not None else None
        if done is None:
            done = {}
            if resolver is not None:
                _BY_RESOLVER[resolver] = done
        if shape.name in done:
            return done[shape.name]
        return _compile(shape, done, set())


def _compile(shape: Shape, done: dict[str, _Copy], pending: set[str]) -> _Copy:
    name = shape.name
    if name in done:
        return done[name]
    if name in pending:  # a recursive shape: bound late, once compiled
        return lambda value: done[name](value)  # type: ignore[misc]
    pending.add(name)
    copy: _Copy = None
    if isinstance(shape, StructureShape):
        copy = prune if shape.metadata.get("document") else _structure(shape, done, pending)
    elif isinstance(shape, ListShape):
        copy = _list(_compile(shape.member, done, pending))
    elif isinstance(shape, MapShape):
        copy = _map(_compile(shape.value, done, pending))
    pending.discard(name)
    done[name] = copy
    return copy


def _structure(shape: StructureShape, done: dict[str, _Copy], pending: set[str]) -> _Copy:
    members = {name: _compile(member, done, pending) for name, member in shape.members.items()}

    def copy(value: Any) -> Any:
        if value.__class__ is not dict:
            return value
        out = {}
        for key, item in value.items():
            if item is None or key not in members:
                continue
            inner = members[key]
            out[key] = item if inner is None else inner(item)
        return out

    return copy


def _list(inner: _Copy) -> _Copy:
    def copy(value: Any) -> Any:
        if value.__class__ is not list:
            return value
        if inner is None:
            return [item for item in value if item is not None]
        return [inner(item) for item in value if item is not None]

    return copy


def _map(inner: _Copy) -> _Copy:
    def copy(value: Any) -> Any:
        if value.__class__ is not dict:
            return value
        if inner is None:
            return {key: item for key, item in value.items() if item is not None}
        return {key: inner(item) for key, item in value.items() if item is not None}

    return copy
