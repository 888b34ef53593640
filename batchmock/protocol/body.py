"""The one decoder of JSON request bodies, for every way in (interceptor, server, control API).

Two rules hold here for every request, before any member is looked at or stored:

- **Nesting depth**: a body nested deeper than :data:`MAX_DEPTH` levels is refused before it is
  parsed, so no later walk (validation, filtering, serialization) can run out of stack. The
  deepest input of the Batch model is 13 levels; AWS's own JSON front end refuses far deeper
  bodies too (Jackson's nesting limit).
- **Text that cannot be encoded**: a body must be UTF-8, and a string (member or map key) must be
  Unicode text that UTF-8 can encode. A lone surrogate (``"\\ud800"`` escaped in JSON, or bytes
  that only ``surrogatepass`` decodes) is refused naming the member, as AWS refuses invalid
  UTF-8, so such text is never stored nor echoed.

And JSON is JSON: ``NaN`` and ``Infinity``, which Python's parser would read, are refused.
"""

from __future__ import annotations

import json
import re
from typing import Any

from batchmock.errors import ClientException

__all__ = ["MAX_DEPTH", "decode"]

MAX_DEPTH = 100
"""The deepest nesting of arrays and objects a request body may have (the model needs 13)."""

# A JSON string (skipped as a whole: brackets inside it do not nest) or one bracket.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
# A \uD800-\uDFFF escape, which json decodes to a (maybe lone) surrogate.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|[\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def decode(body: bytes | str | None) -> Any:
    """The JSON value of ``body`` (None when empty), or ClientException naming what is wrong."""
    if not body:
        return None
    from_bytes = not isinstance(body, str)
    if isinstance(body, str):
        text = body
    else:
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ClientException(
                f"The request body is not valid UTF-8: byte {exc.start} "
                f"(0x{body[exc.start]:02x}) cannot be decoded."
            ) from None
    _check_depth(text)
    try:
        value = _DECODER.decode(text)
    except RecursionError:  # only reachable when the caller's own stack is nearly full
        raise _too_deep() from None
    except ValueError as exc:
        raise ClientException(f"The request body is not valid JSON: {exc}") from None
    if _may_hold_surrogates(text, from_bytes):
        _check_text(value)
    return value


def _may_hold_surrogates(text: str, from_bytes: bool) -> bool:
    # Cheap tests first: most bodies have no \u escape, and bytes were decoded strictly (which
    # refuses encoded surrogates), so only escapes and str bodies can carry one.
    if "\\u" in text and _ESCAPED_SURROGATE.search(text):
        return True
    if from_bytes or text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _no_constant(name: str) -> Any:
    # Python reads NaN, Infinity and -Infinity; JSON (and AWS's parser) has no such tokens.
    raise ValueError(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _too_deep() -> ClientException:
    return ClientException(
        f"The request body nests arrays and objects more than {MAX_DEPTH} levels deep."
    )


def _check_depth(text: str) -> None:
    # Most bodies hold fewer brackets than the limit: they cannot nest deeper than it.
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for token in _TOKEN.finditer(text):
        char = token.group()[0]
        if char == "[" or char == "{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep()
        elif char != '"':
            depth -= 1


def _check_text(root: Any) -> None:
    """Refuse the first string or key holding a lone surrogate, named by its member path."""
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise _unencodable(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                member = f"{path}.{key}" if path else key
                if _SURROGATE.search(key):
                    raise _unencodable(key, path or "request body", key=True)
                stack.append((item, member))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((item, f"{path}.{index + 1}.member" if path else f"{index + 1}"))


def _unencodable(text: str, path: str, key: bool = False) -> ClientException:
    char = _SURROGATE.search(text)
    code = f"U+{ord(char.group()):04X}" if char else "a surrogate"
    shown = printable(text)
    what = "Map keys must satisfy constraint: [Member must be" if key else "Member must be"
    close = "]" if key else ""
    return ClientException(
        f"1 validation error detected: Value '{shown}' at '{printable(path)}' failed to "
        f"satisfy constraint: {what} valid Unicode text; {code} is a lone surrogate, which "
        f"UTF-8 cannot encode{close}"
    )


def printable(text: str) -> str:
    """``text`` with every lone surrogate written as a ``\\udXXX`` escape (always encodable)."""
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
