"""Model-driven input validation: a decoded request checked against its operation's shapes."""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Optional

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from batchmock.errors import ClientException

__all__ = ["MAX_LISTED_ERRORS", "UNENFORCED_CONSTRAINTS", "validate", "validator_for"]

# How messages look (AWS's front-end format, which users grep for):
#
#   1 validation error detected: Value 'bogus' at 'retryStrategy.evaluateOnExit.1.member.action'
#   failed to satisfy constraint: Member must satisfy enum value set: [RETRY, EXIT]
#
# Member paths: structure members joined by dots; a list element is ``<list>.<n>.member`` with a
# 1-based n (AWS's convention); a map value is ``<map>.<key>``. A map key that breaks its shape is
# reported at ``<map>`` as ``Value '<key>' ... Map keys must satisfy constraint: [<rules>]``.
# A null (``None``) member counts as absent, as in AWS's JSON protocols; members the model does
# not know are ignored, as AWS ignores them. Every error of a request is collected; the message
# counts them all and lists the first MAX_LISTED_ERRORS, separated by "; ".

MAX_LISTED_ERRORS = 10
"""At most this many errors are spelled out in one message (the count covers all of them)."""

Validator = Callable[[Any], None]

# A member path, built only when an error is reported: ``(parent_path, segment)`` chains that end
# in None. A str segment is a member name or map key, an int a 0-based list index.
_Path = Optional[tuple[Any, Any]]
_Error = tuple[Any, _Path, str]  # (offending value, path, rule)
# A compiled shape: check(value, parent_path, segment, errors); value is never None.
_Check = Callable[[Any, _Path, Any, list[_Error]], None]
# One constraint of a scalar: returns the broken rule, or None.
_Rule = Callable[[Any], Optional[str]]

NOT_NULL = "Member must not be null"
_MAX_RENDERED = 256
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)

# The model says of EvaluateOnExit.action: "The values aren't case sensitive." Only this enum's
# documentation says so; every other enum is matched exactly.
_CASE_INSENSITIVE_ENUMS = frozenset({"RetryAction"})

# Model constraints AWS does not enforce, as (shape name, trait). A model constraint is enforced
# only where AWS was seen enforcing it or documents it (reference §21.2):
# - TagrisTagsMap min 1: AWS accepts ``tags={}`` on every create and register operation and on
#   SubmitJob (Airflow's BatchOperator and Snakemake's executor send it on every call).
UNENFORCED_CONSTRAINTS = frozenset({("TagrisTagsMap", "min")})


def validator_for(operation_model: OperationModel) -> Validator:
    """Return the compiled check of ``operation_model``'s input, cached per operation.

    The returned function takes the decoded request (a dict of JSON values, with path and query
    members already merged in under their member names) and raises
    :class:`~batchmock.errors.ClientException` listing every violation in AWS's format.
    """
    service = operation_model.service_model
    key = (service.service_name, service.api_version, operation_model.name)
    found = _BY_OPERATION.get(key)
    if found is None:
        with _COMPILE_LOCK:
            found = _BY_OPERATION.get(key)
            if found is None:
                found = _compile_operation(operation_model)
                _BY_OPERATION[key] = found
    return found


def validate(shape: Shape, params: Any) -> None:
    """Check ``params`` against ``shape`` (compiled once per shape and cached).

    Raises :class:`~batchmock.errors.ClientException` listing every violation; ``params`` being
    None is a violation only of the shape itself, reported at the path ``value``.
    """
    errors: list[_Error] = []
    if params is None:
        errors.append((None, (None, "value"), NOT_NULL))
    else:
        with _COMPILE_LOCK:
            check = _compiler_for(shape).compile(shape)
        check(params, None, None, errors)
    if errors:
        raise ClientException(format_errors(errors))


def format_errors(errors: Sequence[_Error]) -> str:
    """The AWS-style message for collected errors (at least one)."""
    count = len(errors)
    head = f"{count} validation error{'' if count == 1 else 's'} detected: "
    parts = [
        f"Value {_render(value)} at '{_render_path(path)}' failed to satisfy constraint: {rule}"
        for value, path, rule in errors[:MAX_LISTED_ERRORS]
    ]
    return head + "; ".join(parts)


_BY_OPERATION: dict[tuple[str, str, str], Validator] = {}
# Compiling is serialized: server threads may see an operation for the first time together, and
# a half-compiled recursive shape must never be called. Cached validators run without the lock.
_COMPILE_LOCK = threading.RLock()


def _compile_operation(operation_model: OperationModel) -> Validator:
    shape = operation_model.input_shape
    check = _accept_anything if shape is None else _compiler_for(shape).compile(shape)

    def check_request(params: Any) -> None:
        if not isinstance(params, dict):
            raise ClientException("The request body must be a JSON object")
        errors: list[_Error] = []
        check(params, None, None, errors)
        if errors:
            raise ClientException(format_errors(errors))

    return check_request


# Shapes are compiled per shape resolver (one per loaded service model), since shape names are
# only unique within a model. Shape objects expose no public link to their model, hence the
# private attribute; the weak key lets a discarded model take its compiled shapes with it.
_COMPILERS: weakref.WeakKeyDictionary[Any, _Compiler] = weakref.WeakKeyDictionary()


def _compiler_for(shape: Shape) -> _Compiler:
    resolver = getattr(shape, "_shape_resolver", None)
    if resolver is None:
        return _Compiler()
    compiler = _COMPILERS.get(resolver)
    if compiler is None:
        compiler = _Compiler()
        _COMPILERS[resolver] = compiler
    return compiler


class _Compiler:
    """Turns shapes into closures once; recursive shapes get a late-bound reference."""

    def __init__(self) -> None:
        self._done: dict[tuple[Any, ...], _Check] = {}
        self._pending: set[tuple[Any, ...]] = set()

    def compile(self, shape: Shape) -> _Check:
        key = _cache_key(shape)
        found = self._done.get(key)
        if found is not None:
            return found
        if key in self._pending:
            done = self._done

            def late(value: Any, parent: _Path, seg: Any, errors: list[_Error]) -> None:
                done[key](value, parent, seg, errors)

            return late
        self._pending.add(key)
        try:
            check = self._build(shape)
        finally:
            self._pending.discard(key)
        self._done[key] = check
        return check

    def _build(self, shape: Shape) -> _Check:
        if isinstance(shape, StructureShape):
            if shape.metadata.get("document"):
                return _accept_anything
            return self._structure(shape)
        if isinstance(shape, ListShape):
            return self._list(shape)
        if isinstance(shape, MapShape):
            return self._map(shape)
        return _scalar(shape)

    def _structure(self, shape: StructureShape) -> _Check:
        required = tuple(shape.required_members)
        checks = {name: self.compile(member) for name, member in shape.members.items()}
        # Plain strings and booleans, most members of a request, are checked inline: ``fast``
        # maps such a member to its class, whose exact instances are valid, and every other
        # member to its check; a mismatch (or a check) goes through ``checks``.
        fast: dict[str, Any] = {
            name: _exact_class(member) or checks[name] for name, member in shape.members.items()
        }
        type_rule = "Member must be of type structure"

        def check(value: Any, parent: _Path, seg: Any, errors: list[_Error]) -> None:
            if not isinstance(value, dict):
                errors.append((value, (parent, seg), type_rule))
                return
            here = (parent, seg)
            for name in required:
                if value.get(name) is None:
                    errors.append((None, (here, name), NOT_NULL))
            for name, item in value.items():
                spec = fast.get(name)
                if spec is None or item.__class__ is spec or item is None:
                    continue
                checks[name](item, here, name, errors)

        return check

    def _list(self, shape: ListShape) -> _Check:
        element = self.compile(shape.member)
        exact = _exact_class(shape.member)
        size_rules = _length_rules(shape)
        type_rule = "Member must be of type list"

        def check(value: Any, parent: _Path, seg: Any, errors: list[_Error]) -> None:
            if not isinstance(value, (list, tuple)):
                errors.append((value, (parent, seg), type_rule))
                return
            for rule in size_rules:
                broken = rule(value)
                if broken is not None:
                    errors.append((value, (parent, seg), broken))
            here = (parent, seg)
            for index, item in enumerate(value):
                if item.__class__ is exact:
                    continue
                if item is None:
                    errors.append((None, (here, index), NOT_NULL))
                else:
                    element(item, here, index, errors)

        return check

    def _map(self, shape: MapShape) -> _Check:
        key_shape = shape.key
        key_type_ok, key_type_rule = _type_test(key_shape)
        key_rules = _scalar_rules(key_shape)
        value_check = self.compile(shape.value)
        exact_key = _exact_class(key_shape)
        exact_value = _exact_class(shape.value)
        size_rules = _length_rules(shape)
        type_rule = "Member must be of type map"
        key_type_error = f"Map keys must satisfy constraint: [{key_type_rule}]"

        def check(value: Any, parent: _Path, seg: Any, errors: list[_Error]) -> None:
            if not isinstance(value, dict):
                errors.append((value, (parent, seg), type_rule))
                return
            for rule in size_rules:
                broken = rule(value)
                if broken is not None:
                    errors.append((value, (parent, seg), broken))
            here = (parent, seg)
            for key, item in value.items():
                if key.__class__ is exact_key and item.__class__ is exact_value:
                    continue
                if not key_type_ok(key):
                    errors.append((key, here, key_type_error))
                elif key_rules:
                    broken_rules = [b for b in (rule(key) for rule in key_rules) if b is not None]
                    if broken_rules:
                        listed = ", ".join(broken_rules)
                        errors.append((key, here, f"Map keys must satisfy constraint: [{listed}]"))
                if item is None:
                    errors.append((None, (here, key), NOT_NULL))
                else:
                    value_check(item, here, key, errors)

        return check


def _cache_key(shape: Shape) -> tuple[Any, ...]:
    # Member references may override traits (min, max, ...) of the shape they name, so the
    # constraint traits are part of the key, not just the name.
    meta = shape.metadata
    traits = (meta.get("min"), meta.get("max"), meta.get("pattern"), tuple(meta.get("enum", ())))
    return (shape.name, shape.type_name, *traits)


def _exact_class(shape: Shape) -> type | None:
    """The class whose exact instances always satisfy ``shape``, if the shape has one."""
    meta = shape.metadata
    if any(trait in meta for trait in ("enum", "min", "max", "pattern")):
        return None
    return {"string": str, "boolean": bool}.get(shape.type_name)


def _accept_anything(value: Any, parent: _Path, seg: Any, errors: list[_Error]) -> None:
    return None


def _scalar(shape: Shape) -> _Check:
    type_ok, type_rule = _type_test(shape)
    rules = tuple(_scalar_rules(shape))
    if not rules:

        def check_type(value: Any, parent: _Path, seg: Any, errors: list[_Error]) -> None:
            if not type_ok(value):
                errors.append((value, (parent, seg), type_rule))

        return check_type

    def check(value: Any, parent: _Path, seg: Any, errors: list[_Error]) -> None:
        if not type_ok(value):
            errors.append((value, (parent, seg), type_rule))
            return
        for rule in rules:
            broken = rule(value)
            if broken is not None:
                errors.append((value, (parent, seg), broken))

    return check


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_test(shape: Shape) -> tuple[Callable[[Any], bool], str]:
    """The type predicate of a scalar shape and the rule it states when it fails."""
    kind = shape.type_name
    rule = f"Member must be of type {kind}"
    if kind == "string":
        return (lambda value: isinstance(value, str)), rule
    if kind in ("integer", "long"):
        # A JSON number that does not fit the Java type fails AWS's deserializer as well.
        low, high = _INT32 if kind == "integer" else _INT64
        return (lambda value: _is_int(value) and low <= value <= high), rule
    if kind in ("double", "float"):
        return _is_number, rule
    if kind == "boolean":
        return (lambda value: isinstance(value, bool)), rule
    if kind == "timestamp":
        # rest-json sends epoch seconds (a number) or, with a timestampFormat, a string.
        return (lambda value: _is_number(value) or isinstance(value, str)), rule
    if kind == "blob":
        return (lambda value: isinstance(value, (str, bytes, bytearray))), rule
    return (lambda value: True), rule


def _scalar_rules(shape: Shape) -> list[_Rule]:
    """The constraints the model puts on a scalar: enum, length or range, pattern."""
    meta = shape.metadata
    kind = shape.type_name
    rules: list[_Rule] = []
    enum = meta.get("enum")
    if enum and kind == "string":
        rules.append(_enum_rule(shape.name, enum))
    if kind in ("string", "blob"):
        rules.extend(_length_rules(shape))
    elif kind in ("integer", "long", "double", "float"):
        rules.extend(_range_rules(shape))
    pattern = meta.get("pattern")
    if pattern and kind == "string":
        regex = _compile_pattern(pattern)
        if regex is not None:
            rule = f"Member must satisfy regular expression pattern: {pattern}"
            rules.append(lambda value: None if regex.search(value) else rule)
    return rules


def _enum_rule(shape_name: str, values: Sequence[str]) -> _Rule:
    rule = f"Member must satisfy enum value set: [{', '.join(values)}]"
    if shape_name in _CASE_INSENSITIVE_ENUMS:
        folded = frozenset(value.upper() for value in values)
        return lambda value: None if value.upper() in folded else rule
    allowed = frozenset(values)
    return lambda value: None if value in allowed else rule


def _length_rules(shape: Shape) -> list[_Rule]:
    # Lengths are counted in code points (Smithy's length trait counts Unicode scalar values).
    return _bound_rules(shape, "length", len)


def _range_rules(shape: Shape) -> list[_Rule]:
    return _bound_rules(shape, "value", lambda value: value)


def _bound_rules(shape: Shape, what: str, measure: Callable[[Any], Any]) -> list[_Rule]:
    rules: list[_Rule] = []
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if (shape.name, "min") in UNENFORCED_CONSTRAINTS:
        low = None
    if (shape.name, "max") in UNENFORCED_CONSTRAINTS:
        high = None
    if low is not None:
        low_rule = f"Member must have {what} greater than or equal to {low}"
        rules.append(lambda value: low_rule if measure(value) < low else None)
    if high is not None:
        high_rule = f"Member must have {what} less than or equal to {high}"
        rules.append(lambda value: high_rule if measure(value) > high else None)
    return rules


def _compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compile a model pattern, or None when Python's ``re`` cannot express it.

    Model patterns are Java regexes, not implicitly anchored (Smithy's pattern trait), hence
    ``search``. Java-only syntax (``\\p{L}`` classes, ``\\z``) does not compile in ``re``; such a
    pattern is skipped rather than approximated, since a wrong approximation would reject
    requests AWS accepts. The Batch model (2016-08-10) has no patterns at all today.
    """
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _render(value: Any) -> str:
    if value is None:
        return "null"
    text = _java_text(value, 0)
    if len(text) > _MAX_RENDERED:
        # AWS echoes the whole value; a 30 KiB value in a message only buries the rule.
        text = text[: _MAX_RENDERED - 3] + "..."
    return f"'{text}'"


def _java_text(value: Any, depth: int) -> str:
    """A value as AWS (Java's toString) prints it: true, [a, b], {k=v}; cut short when long."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if depth > 4:
        return "..."
    if isinstance(value, dict):
        parts = _bounded(
            f"{_java_text(k, depth + 1)}={_java_text(v, depth + 1)}" for k, v in value.items()
        )
        return "{" + parts + "}"
    if isinstance(value, (list, tuple)):
        return "[" + _bounded(_java_text(v, depth + 1) for v in value) + "]"
    return str(value)


def _bounded(parts: Iterable[str]) -> str:
    # Stops rendering a huge collection once the message could not show more of it anyway.
    taken: list[str] = []
    size = 0
    for part in parts:
        taken.append(part)
        size += len(part) + 2
        if size > _MAX_RENDERED:
            break
    return ", ".join(taken)


def _render_path(path: _Path) -> str:
    segments: list[str] = []
    while path is not None:
        path, seg = path
        if seg is None:
            continue
        segments.append(f"{seg + 1}.member" if isinstance(seg, int) else str(seg))
    return ".".join(reversed(segments))
