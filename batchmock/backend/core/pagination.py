"""maxResults/nextToken pagination that never repeats or loses an item (reference G5, §12.12).

Usage from a handler::

    pagination.check_exclusive(params, "computeEnvironments", "ComputeEnvironments")
    items, token = pagination.page(
        sorted(store.values(), key=lambda ce: ce.name), lambda ce: ce.name, params,
        scope="DescribeComputeEnvironments")
    return {"computeEnvironments": [ce.describe() for ce in items], "nextToken": token}

The token is an opaque encoding of the *sort key* of the last item returned (plus the operation
it belongs to), never an offset: the next page starts strictly after that key, so items added or
removed between two calls neither shift the window nor appear twice. ``items`` must be ordered by
``key`` (ascending, or descending with ``reverse=True``) and keys must be unique, JSON-encodable
scalars or tuples of them (e.g. ``name`` or ``(name, revision)``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from batchmock.backend.core.checks import ref_list
from batchmock.errors import ClientException, executing_request
from batchmock.service_model import documented_max

T = TypeVar("T")

DEFAULT_LIMIT = 100
"""Page size when maxResults is absent (the largest page when the model states none)."""

MESSAGES = {
    # [obs: k1LoW/awspec#563] (raised with the ", RequestId: <uuid>" tail, §21.4)
    "exclusive": "{label} and MaxResults cannot both be set",
    # [model] nextToken comes "from a previous ... request where maxResults was used", so it
    # cannot go with a name list either; the same wording [inferred]
    "exclusive_token": "{label} and NextToken cannot both be set",
    # [model] maxResults "can be between 1 and 100" (read by page_limit; text [inferred])
    "max_results": "maxResults must be between 1 and {limit}, got {value}",
    # [model] the token is opaque: only one this service returned names a page (text [inferred])
    "token": "Invalid nextToken: {token}",
}


def check_exclusive(params: Mapping[str, Any], list_member: str, label: str) -> None:
    """Refuse a request that names resources *and* paginates (§2.6).

    ``list_member`` is the request member holding names/ARNs (``"jobQueues"``); ``label`` is how
    AWS spells it in the message (``"JobQueues"``). An empty list counts as absent.
    """
    if not params.get(list_member):
        return
    if params.get("maxResults") is not None:
        raise executing_request(MESSAGES["exclusive"].format(label=label))
    if params.get("nextToken") is not None:
        raise executing_request(MESSAGES["exclusive_token"].format(label=label))


def named_or_page(
    params: Mapping[str, Any],
    list_member: str,
    label: str,
    find: Callable[[str], T | None],
    everything: Callable[[], Sequence[T]],
    key: Callable[[T], Any],
    *,
    scope: str,
) -> tuple[list[T], str | None]:
    """What a Describe* call with an optional name list answers (§2.6, G6, §12.12).

    ``scope`` is the operation's name. With names/ARNs in ``list_member`` (at most as many as
    the model documents for that operation's member, never together with pagination):
    the resources ``find`` knows, in request order, each once, unknown ones left out. Without:
    a page of ``everything()`` (ordered by ``key``) and the next page's token.
    """
    refs = ref_list(params, list_member, scope)
    if not refs:
        return page(everything(), key, params, scope=scope)
    check_exclusive(params, list_member, label)
    found: list[T] = []
    for ref in refs:
        item = find(ref)
        if item is not None and item not in found:
            found.append(item)
    return found, None


def max_results(
    params: Mapping[str, Any], *, default: int = DEFAULT_LIMIT, limit: int = DEFAULT_LIMIT
) -> int:
    """The page size asked for: ``maxResults`` checked against 1..``limit``, else ``default``."""
    value = params.get("maxResults")
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise ClientException(MESSAGES["max_results"].format(limit=limit, value=value))
    return value


def page_limit(scope: str) -> int:
    """The largest maxResults of the operation that ``scope`` starts with ("ListQuotaShares/...")
    as its documentation states ("This value can be between 1 and 100")."""
    return documented_max(scope.split("/", 1)[0], "maxResults") or DEFAULT_LIMIT


def page(
    items: Sequence[T],
    key: Callable[[T], Any],
    params: Mapping[str, Any],
    *,
    scope: str,
    default: int = DEFAULT_LIMIT,
    limit: int | None = None,
    reverse: bool = False,
) -> tuple[list[T], str | None]:
    """One page of ``items`` and the token of the next page (None on the last page).

    ``params`` supplies ``maxResults`` and ``nextToken``. ``scope`` names the listing (usually
    the operation, plus anything that changes the listing, such as a queue name or a status
    filter); a token from another scope is refused as invalid, like any token not made here.
    ``limit`` is the largest maxResults, by default :func:`page_limit` of the scope.
    """
    size = max_results(params, default=default, limit=page_limit(scope) if limit is None else limit)
    start = 0
    token = params.get("nextToken")
    if token is not None:
        after = decode_token(token, scope)
        start = _first_after(items, key, after, reverse, token)
    chunk = list(items[start : start + size])
    if start + size < len(items) and chunk:
        return chunk, encode_token(scope, key(chunk[-1]))
    return chunk, None


def encode_token(scope: str, last_key: Any) -> str:
    """The opaque token for "continue after ``last_key`` in ``scope``"."""
    raw = json.dumps([scope, last_key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: Any, scope: str) -> Any:
    """The sort key stored in ``token``; ClientException when it is not a token of ``scope``."""
    if not isinstance(token, str) or not token:
        raise ClientException(MESSAGES["token"].format(token=token))
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        found_scope, last_key = json.loads(raw.decode())
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ClientException(MESSAGES["token"].format(token=token)) from None
    if found_scope != scope:
        raise ClientException(MESSAGES["token"].format(token=token))
    return _freeze(last_key)


def _freeze(value: Any) -> Any:
    """JSON turns tuples into lists; turn them back so they compare with the items' keys."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _first_after(
    items: Sequence[T], key: Callable[[T], Any], after: Any, reverse: bool, token: str
) -> int:
    """Index of the first item whose key lies strictly beyond ``after`` in the listing order."""
    try:
        for index, item in enumerate(items):
            current = key(item)
            if (current < after) if reverse else (current > after):
                return index
    except TypeError:
        # a token whose key has another shape than this listing's keys was not made here
        raise ClientException(MESSAGES["token"].format(token=token)) from None
    return len(items)
