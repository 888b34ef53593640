"""A validated request reduced to what the model defines: what handlers see and what is stored.

AWS ignores members its model does not know, at every depth, and an explicit null means absent.
:func:`modeled` makes the copy a handler receives: unknown members dropped inside every structure
(``containerProperties.zzUnknown``, inside ``computeResources``, list elements...) and ``None``
left out. The walk follows the model's shapes, so it is as deep as the model, never deeper.
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from batchmock.pruned import prune

__all__ = ["modeled"]


def modeled(shape: Shape | None, value: Any) -> Any:
    """A copy of ``value`` (already validated against ``shape``) with only modeled members."""
    if shape is None:
        return {}
    return _copy(shape, value)


def _copy(shape: Shape, value: Any) -> Any:
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            return value
        if shape.metadata.get("document"):
            return prune(value)
        members = shape.members
        return {
            name: _copy(members[name], item)
            for name, item in value.items()
            if item is not None and name in members
        }
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return value
        member = shape.member
        return [_copy(member, item) for item in value if item is not None]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return value
        inner = shape.value
        return {key: _copy(inner, item) for key, item in value.items() if item is not None}
    return value
