"""Which requests a mock owns, and the account and region each one is for."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

_BATCH_HOST = re.compile(r"^batch(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/")
_ACCOUNT_KEY = re.compile(r"^\d{12}$")
_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$", re.IGNORECASE)


def region_of_host(host: str) -> str | None:
    """The region of an AWS Batch endpoint host, or None for any other host."""
    found = _BATCH_HOST.match(host)
    return found.group(1) if found else None


def is_loopback(host: str) -> bool:
    """True for localhost, 127.x.x.x and [::1], with or without a port."""
    return bool(_LOOPBACK.match(host))


def is_loopback_url(url: str) -> bool:
    """True when ``url``'s host is a loopback address (see :func:`is_loopback`)."""
    return is_loopback(urlsplit(url).netloc.rpartition("@")[2])


def allows(url: str, rules: Iterable[tuple[str, int | None]]) -> bool:
    """True when ``url``'s host (and port: the scheme's default when absent) matches a rule of
    ``options.host_rule``'s form: an exact host, or a pattern with ``*``."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2].lower()
    if netloc.startswith("["):
        host, _, rest = netloc.partition("]")
        host, port_text = host + "]", rest[1:]
    else:
        host, _, port_text = netloc.partition(":")
    try:
        port = int(port_text) if port_text else _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return False
    for pattern, wanted in rules:
        if wanted is not None and wanted != port:
            continue
        if host == pattern or ("*" in pattern and fnmatch.fnmatchcase(host, pattern)):
            return True
    return False


_DEFAULT_PORTS = {"http": 80, "https": 443}


def signer_of(headers: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The access key id and region of a SigV4 ``Authorization`` header, if signed."""
    auth: Any = headers.get("Authorization") or headers.get("authorization")
    if not auth:
        return None, None
    if isinstance(auth, bytes):
        auth = auth.decode("latin-1")
    found = _CREDENTIAL.search(str(auth))
    return (found.group(1), found.group(2)) if found else (None, None)


def account_of_key(access_key: str | None) -> str | None:
    """batchmock's convention: an access key id of twelve digits names the account."""
    if access_key and _ACCOUNT_KEY.match(access_key):
        return access_key
    return None


def owns_url(url: str, owned: Iterable[str]) -> bool:
    """True when ``url`` is at or below one of the ``owned`` endpoint URLs."""
    parts = urlsplit(url)
    for endpoint in owned:
        own = urlsplit(endpoint)
        if own.netloc.lower() == parts.netloc.lower() and parts.path.startswith(
            own.path.rstrip("/")
        ):
            return True
    return False
