"""Hostile requests generated from the installed botocore model, for every Batch operation.

Shared by the fuzz tests (a few hundred examples per run) and the longer campaign script
(``tools/fuzz_campaign.py``). Two flavours:

- ``boto3``: what a boto3 client with parameter validation off can still send: structures,
  lists and maps have their model type (botocore's serializer needs that), but every scalar may
  break its rules (length, range, enum, type), hold a lone surrogate, or name no resource;
- ``raw``: a JSON body for raw HTTP, where anything goes at any depth: wrong types, unknown
  members inside any structure, junk nested deep, and bodies that are not JSON at all.

Values lean towards what reaches deep code: required members are present, enums and the names
of the resources :func:`tests.support.make_env` creates are frequent.
"""

from __future__ import annotations

import json
import string
from typing import Any
from urllib.parse import quote

from botocore.model import Shape
from hypothesis import strategies as st

from batchmock.protocol import model

OPERATIONS = sorted(model.operation_names())
ACCOUNT_ARN = "arn:aws:batch:us-east-1:123456789012:"
NAMES = [
    "ce",
    "q",
    "jd",
    "jd:1",
    "j",
    f"{ACCOUNT_ARN}compute-environment/ce",
    f"{ACCOUNT_ARN}job-queue/q",
    f"{ACCOUNT_ARN}job-definition/jd:1",
    f"{ACCOUNT_ARN}scheduling-policy/p",
    "arn:aws:",
    "arn:aws:ecs:us-east-1:123456789012:cluster/c",
]
_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-_:/*. ", max_size=12)


def _hostile_text(safe: bool) -> st.SearchStrategy[str]:
    """Short strings: names that exist, plain text, odd Unicode, lone surrogates (unless safe)."""
    choices = [
        st.sampled_from(NAMES),
        _TEXT,
        st.text(max_size=6).filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s)),
    ]
    if not safe:
        choices.append(
            st.lists(st.one_of(_SURROGATES, st.sampled_from("ab")), min_size=1, max_size=4).map(
                "".join
            )
        )
    return st.one_of(*choices)


def _string(shape: Shape, safe: bool) -> st.SearchStrategy[Any]:
    meta = shape.metadata
    options: list[st.SearchStrategy[Any]] = [_hostile_text(safe)]
    if meta.get("enum"):
        options.insert(0, st.sampled_from(list(meta["enum"])))
        options.insert(0, st.sampled_from(list(meta["enum"])))
    high = meta.get("max")
    if isinstance(high, int) and high < 100_000:
        options.append(st.just("x" * (high + 1)))
    if "min" in meta:
        options.append(st.just(""))
    return st.one_of(*options)


_INTEGERS = st.one_of(
    st.integers(-3, 300),
    st.sampled_from([-(2**31) - 1, -(2**31), 2**31 - 1, 2**31, 2**63, 10**30]),
    st.integers(),
)
_NUMBERS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([0.0, -1.0, 1e308, 1e-308, float("nan"), float("inf")]),
    _INTEGERS,
)
_JUNK_SCALARS = st.one_of(st.none(), st.booleans(), _INTEGERS, _TEXT)


def _junk(depth: int) -> st.SearchStrategy[Any]:
    """Any JSON value, nested up to ``depth`` (ends in junk scalars)."""
    return st.recursive(
        _JUNK_SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)
        ),
        max_leaves=depth,
    )


def _deep(levels: int) -> Any:
    value: Any = 1
    for index in range(levels):
        value = [value] if index % 2 else {"a": value}
    return value


def value_for(shape: Shape, flavour: str, safe: bool = False) -> st.SearchStrategy[Any]:
    """A strategy of values for ``shape``; ``flavour`` is ``boto3`` or ``raw`` (see above)."""
    raw = flavour == "raw"
    kind = shape.type_name
    strategy: st.SearchStrategy[Any]
    if kind == "structure":
        members = shape.members
        required = set(shape.required_members)
        fixed = {name: value_for(members[name], flavour, safe) for name in required}
        optional = {
            name: value_for(member, flavour, safe)
            for name, member in members.items()
            if name not in required
        }
        if raw:
            optional["zzUnknown"] = st.one_of(_junk(6), st.integers(1, 99).map(_deep))
        strategy = st.fixed_dictionaries(fixed, optional=optional)
    elif kind == "list":
        strategy = st.lists(value_for(shape.member, flavour, safe), max_size=3)
    elif kind == "map":
        strategy = st.dictionaries(
            value_for(shape.key, "boto3", safe), value_for(shape.value, flavour, safe), max_size=3
        )
    elif kind == "string":
        strategy = _string(shape, safe)
        if not raw:
            # botocore passes any scalar through for a string member
            strategy = st.one_of(strategy, strategy, st.integers(), st.booleans())
    elif kind in ("integer", "long"):
        strategy = st.one_of(_INTEGERS, _INTEGERS, _TEXT, st.booleans())
    elif kind in ("double", "float"):
        # botocore sends NaN and Infinity as strings; only the raw flavour sends other types
        strategy = _NUMBERS if not raw else st.one_of(_NUMBERS, _TEXT)
    elif kind == "boolean":
        strategy = st.one_of(st.booleans(), st.booleans(), _TEXT, st.integers(0, 1))
    else:
        strategy = _JUNK_SCALARS
    if raw and kind in ("structure", "list", "map"):
        strategy = st.one_of(strategy, strategy, strategy, _JUNK_SCALARS, _junk(4))
    return strategy


_CACHE: dict[tuple[str, str], st.SearchStrategy[dict[str, Any]]] = {}


def params_for(operation: str, flavour: str) -> st.SearchStrategy[dict[str, Any]]:
    """The input members of one operation (its URI and query members without surrogates in the
    boto3 flavour: botocore itself cannot percent-encode those)."""
    key = (operation, flavour)
    if key not in _CACHE:
        shape = model.service_model().operation_model(operation).input_shape
        if shape is None:
            _CACHE[key] = st.just({})
        else:
            fixed = {}
            optional = {}
            for name, member in shape.members.items():
                located = member.serialization.get("location") in ("uri", "querystring")
                safe = located and flavour == "boto3"
                if located and member.type_name == "string":
                    value = _hostile_text(safe).filter(bool) if safe else _hostile_text(False)
                else:
                    value = value_for(member, flavour, safe)
                target = fixed if name in shape.required_members else optional
                target[name] = value
            _CACHE[key] = st.fixed_dictionaries(fixed, optional=optional)
    return _CACHE[key]


def boto3_calls() -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """(operation name, keyword arguments) for a boto3 client without parameter validation."""
    return st.sampled_from(OPERATIONS).flatmap(
        lambda name: st.tuples(st.just(name), params_for(name, "boto3"))
    )


_AUTHORIZATION = st.sampled_from(
    [
        None,
        None,
        "garbage",
        "Bearer abc",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/batch/aws4_request, "
        "SignedHeaders=host, Signature=0",
        "AWS4-HMAC-SHA256 Credential=testing/2024-1-1/us-east-1/batch/aws4_request, "
        "SignedHeaders=host, Signature=0",
    ]
)


def _body_bytes(params: Any) -> st.SearchStrategy[bytes]:
    text = json.dumps(params)  # surrogates leave as \\udXXX escapes
    encoded = text.encode("utf-8")
    return st.one_of(
        st.just(encoded),
        st.just(encoded),
        st.just(encoded),
        st.integers(0, max(len(encoded) - 1, 0)).map(lambda cut: encoded[:cut]),
        st.just(encoded.replace(b"\\u", b"\\U", 1)),
        st.binary(max_size=8).map(lambda junk: encoded[:1] + junk + encoded[1:]),
        st.just(b"\xed\xa0\x80" + encoded),
        st.integers(90, 200_000).map(lambda n: b"[" * n + b"]" * n),
        st.just(b'{"x": NaN}'),
    )


def _path(operation: str, params: dict[str, Any]) -> str:
    op = model.service_model().operation_model(operation)
    uri = op.http["requestUri"].split("?")[0]
    if "{" in uri:
        head, _, rest = uri.partition("{")
        member = rest.split("}")[0].rstrip("+")
        value = params.pop(member, "")
        text = value if isinstance(value, str) else json.dumps(value)
        uri = head + quote(text.encode("utf-8", "surrogatepass"), safe="")
    for name, member in (op.input_shape.members if op.input_shape else {}).items():
        if member.serialization.get("location") == "querystring" and name in params:
            values = params.pop(name)
            values = values if isinstance(values, list) else [values]
            query = "&".join(
                f"{member.serialization.get('name', name)}="
                f"{quote(str(v).encode('utf-8', 'surrogatepass'), safe='')}"
                for v in values
            )
            uri += "?" + query
    return uri


def raw_requests() -> st.SearchStrategy[tuple[str, str, dict[str, str], bytes]]:
    """(method, path with query, headers, body) of one raw HTTP request to a Batch path."""

    def build(
        name: str, params: dict[str, Any], auth: str | None, method: str | None
    ) -> st.SearchStrategy[tuple[str, str, dict[str, str], bytes]]:
        op = model.service_model().operation_model(name)
        params = dict(params) if isinstance(params, dict) else params
        path = _path(name, params) if isinstance(params, dict) else op.http["requestUri"]
        headers = {"Content-Type": "application/json"}
        if auth is not None:
            headers["Authorization"] = auth
        return _body_bytes(params).map(
            lambda body: (method or op.http["method"], path, headers, body)
        )

    return st.tuples(
        st.sampled_from(OPERATIONS).flatmap(
            lambda name: st.tuples(st.just(name), params_for(name, "raw"))
        ),
        _AUTHORIZATION,
        st.sampled_from([None, None, None, None, "GET", "PUT", "DELETE"]),
    ).flatmap(lambda drawn: build(drawn[0][0], drawn[0][1], drawn[1], drawn[2]))
