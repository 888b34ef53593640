"""The Batch service model and the route table built from it, loaded once on first use."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import botocore.model

from batchmock.service_model import service_model

__all__ = ["Route", "operation_names", "route", "service_model"]


@dataclass(frozen=True)
class Route:
    """An operation reached by an HTTP method and a path, with its templated path member."""

    operation: botocore.model.OperationModel
    path_member: str | None = None
    """The input member carried in the last path segment (the tag operations' resourceArn)."""


@functools.cache
def _routes() -> tuple[dict[tuple[str, str], Route], dict[tuple[str, str], Route]]:
    model = service_model()
    exact: dict[tuple[str, str], Route] = {}
    prefixed: dict[tuple[str, str], Route] = {}
    for name in model.operation_names:
        op = model.operation_model(name)
        method, uri = op.http["method"], op.http["requestUri"].split("?")[0]
        if "{" in uri:
            prefix, _, rest = uri.partition("{")
            member = rest.rstrip("}+")
            prefixed[(method, prefix)] = Route(op, member)
        else:
            exact[(method, uri)] = Route(op)
    return exact, prefixed


def route(method: str, path: str) -> tuple[Route, str | None] | None:
    """The route for ``method path`` and the raw templated segment, or None if none matches."""
    exact, prefixed = _routes()
    found = exact.get((method, path.rstrip("/") or "/"))
    if found is not None:
        return found, None
    head, sep, segment = path.rpartition("/")
    if sep and segment:
        found = prefixed.get((method, head + "/"))
        if found is not None:
            return found, segment
    return None


def operation_names() -> list[str]:
    """Every operation of the Batch service model."""
    return list(service_model().operation_names)
