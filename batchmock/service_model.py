"""botocore's Batch service model, loaded once, and the limits it states.

The installed botocore's model is the source of truth for shapes and limits: code reads a limit
from here instead of writing the number down, so a newer model (botocore 1.44 raised
``updatePolicy.jobExecutionTimeoutMinutes`` from 360 to 7200) is followed without a change.
A limit is stated in one of two ways:

- as a constraint trait (``min``/``max``) of a member's shape: :func:`trait`;
- only in the member's documentation ("An array of up to 50 Batch job IDs", "This parameter
  has a limit of 1024 characters", "between 2 and 10,000", "The minimum value for the timeout
  is 60 seconds"): :func:`documented_max`, :func:`documented_min`, :func:`documented_range`,
  and :func:`documented_number` for a sentence of its own.

Each number the library reads this way is checked against the installed model by
``tests/test_service_model.py`` (or a test of the rule), so a rewording fails the suite instead
of silently dropping the limit.

Every lookup answers None when the installed model lacks the operation, the member or the
sentence, never raises: the library must keep working on the oldest botocore it supports.
"""

from __future__ import annotations

import functools
import os
import re

import botocore.loaders
import botocore.model
from botocore.model import ListShape, MapShape, Shape, StructureShape

__all__ = [
    "documented_max",
    "documented_min",
    "documented_number",
    "documented_range",
    "has_operation",
    "member_shape",
    "service_model",
    "trait",
]

_NUMBER = r"([0-9][0-9,]*)"
_MAX_PHRASES = re.compile(
    rf"\b(?:up to|limit of|maximum of|at most|maximum (?:supported )?value is)\s+{_NUMBER}",
    re.IGNORECASE,
)
_MIN_PHRASES = re.compile(
    rf"\bminimum (?:supported )?value (?:for the \w+ )?is\s+{_NUMBER}", re.IGNORECASE
)
_RANGE_PHRASE = re.compile(rf"\bbetween\s+{_NUMBER}\s+and\s+{_NUMBER}", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


@functools.cache
def service_model() -> botocore.model.ServiceModel:
    """botocore's Batch service model (the installed version is the source of truth).

    Loaded the way botocore's clients load it, ``AWS_DATA_PATH`` included, so the mock answers
    by the same model as the clients it serves.
    """
    loader = botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))
    return botocore.model.ServiceModel(loader.load_service_model("batch", "service-2"), "batch")


@functools.cache
def has_operation(operation: str) -> bool:
    """Whether the installed model has ``operation`` (older botocore lacks the newest ones)."""
    return operation in service_model().operation_names


@functools.cache
def member_shape(operation: str, path: str) -> Shape | None:
    """The shape at ``path`` in ``operation``'s input, or None if the model has none there.

    ``path`` names structure members joined by dots; ``member`` steps into a list's element,
    ``key``/``value`` into a map's keys or values: ``"tags.key"``, ``"jobs.member"``,
    ``"updatePolicy.jobExecutionTimeoutMinutes"``.
    """
    if not has_operation(operation):
        return None
    shape: Shape | None = service_model().operation_model(operation).input_shape
    for step in path.split(".") if path else ():
        if isinstance(shape, StructureShape):
            shape = shape.members.get(step)
        elif isinstance(shape, ListShape) and step == "member":
            shape = shape.member
        elif isinstance(shape, MapShape) and step in ("key", "value"):
            shape = shape.key if step == "key" else shape.value
        else:
            return None
    return shape


def trait(operation: str, path: str, name: str) -> int | None:
    """The ``min`` or ``max`` constraint trait of the member at ``path``, or None."""
    shape = member_shape(operation, path)
    value = None if shape is None else shape.metadata.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _documentation(operation: str, path: str) -> str:
    shape = member_shape(operation, path)
    text = getattr(shape, "documentation", "") or ""
    return " ".join(_TAG.sub(" ", text).split())


@functools.cache
def documented_max(operation: str, path: str) -> int | None:
    """The largest count or length the documentation of a member states, or None.

    Reads the first "up to N", "limit of N", "maximum of N", "at most N" or "maximum supported
    value is N" of the member's documentation ("An array of up to 50 Batch job IDs" gives 50),
    else the upper end of a "between N and M".
    """
    found = _MAX_PHRASES.search(_documentation(operation, path))
    if found is not None:
        return int(found.group(1).replace(",", ""))
    bounds = documented_range(operation, path)
    return None if bounds is None else bounds[1]


@functools.cache
def documented_min(operation: str, path: str) -> int | None:
    """The smallest value a member's documentation states ("The minimum value for the timeout
    is 60 seconds", "The minimum supported value is 0"), else the lower end of a "between N and
    M"; None if it states neither."""
    found = _MIN_PHRASES.search(_documentation(operation, path))
    if found is not None:
        return int(found.group(1).replace(",", ""))
    bounds = documented_range(operation, path)
    return None if bounds is None else bounds[0]


@functools.cache
def documented_number(operation: str, path: str, pattern: str) -> int | None:
    """The number the first group of ``pattern`` finds in a member's documentation, or None:
    for limits stated in a sentence of their own ("When --filters is used, Batch returns up to
    100 values")."""
    found = re.search(pattern, _documentation(operation, path))
    return None if found is None else int(found.group(1).replace(",", ""))


@functools.cache
def documented_word(operation: str, path: str, pattern: str) -> str | None:
    """The text the first group of ``pattern`` finds in a member's documentation, or None: for
    defaults the model states in words ("the default is ECS_AL2023 for EC2 (ECS) compute
    environments")."""
    found = re.search(pattern, _documentation(operation, path))
    return None if found is None else found.group(1)


@functools.cache
def documented_range(operation: str, path: str) -> tuple[int, int] | None:
    """The "between N and M" a member's documentation states, or None."""
    found = _RANGE_PHRASE.search(_documentation(operation, path))
    if found is None:
        return None
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", ""))
