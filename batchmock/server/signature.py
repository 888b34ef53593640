"""Requests the server hands to moto that no AWS service would read: answered as AWS answers them.

moto tells services apart by the SigV4 credential scope of the ``Authorization`` header; an
``Authorization`` header it cannot parse (a token, ``Basic ...``, a SigV4 header without its
parts) made moto raise, and the client got a 500 from the server. AWS's front door refuses such
a request before any service sees it, with a 400 ``IncompleteSignature``
(``IncompleteSignatureException`` in the JSON protocol this server answers with) and a message
that names what is missing and quotes the header:

- a header that is not SigV4 (nor S3's legacy ``AWS <key>:<signature>``, which moto reads):
  ``Authorization header requires 'Credential' parameter. ... Authorization=<header>``, with the
  date sentence when neither ``X-Amz-Date`` nor ``Date`` is sent (a complete SigV4 header
  without a date is left to moto);
- SigV4 with a part that is not ``key=value``: ``'<part>' not a valid key=value pair (missing
  equal-sign) in Authorization header: '<header>'.``;
- SigV4 without ``Credential``, ``Signature`` or ``SignedHeaders``: the sentences of the missing
  ones;
- a ``Credential`` that is not ``<key>/<date>/<region>/<service>/aws4_request``.

A request without any signature that moto cannot answer either (an unsigned JSON-protocol call)
is answered 403 ``MissingAuthenticationToken`` by the app (:func:`missing_token`).
"""

from __future__ import annotations

import re
from typing import Any

from batchmock.protocol import serialize

_SIGV4 = "AWS4-HMAC-SHA256"
_SIGV2 = re.compile(r"^AWS [^\s:]+:\S+$")
_REQUIRED = ("Credential", "Signature", "SignedHeaders")
_SHOWN = 2000
"""Characters of the header quoted in a message, at most (AWS quotes it whole)."""


def malformed(environ: dict[str, Any]) -> serialize.Response | None:
    """A 400 for an ``Authorization`` header no AWS service reads; None for any other request."""
    auth = str(environ.get("HTTP_AUTHORIZATION") or "").strip()
    if not auth or _SIGV2.match(auth):
        return None
    problem = _problem(auth, bool(environ.get("HTTP_X_AMZ_DATE") or environ.get("HTTP_DATE")))
    if problem is None:
        return None
    return serialize.error("IncompleteSignatureException", 400, problem)


def missing_token() -> serialize.Response:
    """AWS's answer to an unsigned request for an API that only takes signed ones."""
    return serialize.error(
        "MissingAuthenticationToken",
        403,
        "The request must contain either a valid (registered) AWS access key ID or X.509 "
        "certificate.",
    )


def is_unsigned(environ: dict[str, Any]) -> bool:
    """True when the request carries neither an ``Authorization`` header nor a presigned query."""
    query = str(environ.get("QUERY_STRING") or "")
    return not str(environ.get("HTTP_AUTHORIZATION") or "").strip() and (
        "X-Amz-Credential=" not in query and "AWSAccessKeyId=" not in query
    )


def _problem(auth: str, dated: bool) -> str | None:
    shown = auth[:_SHOWN]
    algorithm, _, rest = auth.partition(" ")
    params: dict[str, str] = {}
    if algorithm == _SIGV4:
        for part in re.split(r"[,\s]+", rest):
            if not part:
                continue
            name, equal, value = part.partition("=")
            if not equal:
                return (
                    f"'{part[:_SHOWN]}' not a valid key=value pair (missing equal-sign) in "
                    f"Authorization header: '{shown}'."
                )
            params[name.strip()] = value.strip()
    sentences = [
        f"Authorization header requires '{name}' parameter."
        for name in _REQUIRED
        if name not in params
    ]
    if sentences:
        if not dated:
            sentences.append(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header."
            )
        return " ".join([*sentences, f"Authorization={shown}"])
    credential = params["Credential"]
    scope = credential.split("/")
    if len(scope) != 5:
        return (
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            f"keyid/date/region/service/term, got '{credential[:_SHOWN]}'"
        )
    if scope[4] != "aws4_request":
        return (
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{scope[4][:_SHOWN]}'."
        )
    if not all(scope[:4]):
        return f"Credential has an empty element: '{credential[:_SHOWN]}'."
    return None
