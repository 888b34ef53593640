"""The AWS variables of the environment while a mock is active, and their restoration after.

An intercepting mock (``mock_batch``) always sets fake credentials, as moto's ``mock_aws`` does:
a client made inside it signs with them whatever the developer's environment holds, and a
profile, session token or security token of the developer's is hidden (botocore would prefer an
``AWS_PROFILE`` to the fake keys). A mock that serves a server without intercepting
(``ThreadedServer()``, ``batchmock server``) only fills in credentials that are missing, so the
test's clients of that server can sign. ``AWS_DEFAULT_REGION`` is set to the mock's region when
absent. Every variable touched is restored when the mock ends, also when the test failed;
nested mocks restore in turn.

boto3's default session caches the credentials it resolved first: while an intercepting mock is
active that cache is emptied, so ``boto3.client(...)`` inside the mock signs with the fake keys
even when the default session existed before; the cache is put back afterwards. A client made
before the mock keeps the keys it was made with, and so does another session that had resolved
them already: their requests are answered in-process all the same and never leave.

The fake access key id is not 12 digits, so requests signed with it belong to the mock's
``account_id`` option (a 12-digit access key id names an account; see ``routing``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
HIDDEN = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")
"""Variables that would add to, or take precedence over, the fake credentials."""


class FakeEnvironment:
    """Sets the variables of one mock activation and puts the previous values back."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}
        self._cached: tuple[Any, Any] | None = None

    def apply(self, region: str, *, always: bool) -> None:
        """Fake credentials (``always``, or when none are set) and a default region."""
        changes: dict[str, str | None] = {}
        if always or "AWS_ACCESS_KEY_ID" not in os.environ:
            changes.update(FAKE_CREDENTIALS)
        if always:
            changes.update(dict.fromkeys(HIDDEN))
        if "AWS_DEFAULT_REGION" not in os.environ:
            changes["AWS_DEFAULT_REGION"] = region
        self._saved = {name: os.environ.get(name) for name in changes}
        _set(changes)
        if always:
            self._cached = _take_default_session_credentials()

    def restore(self) -> None:
        """Put back every variable :meth:`apply` changed, as it was before."""
        saved, self._saved = self._saved, {}
        _set(saved)
        cached, self._cached = self._cached, None
        if cached is not None:
            session, credentials = cached
            session._credentials = credentials


def _take_default_session_credentials() -> tuple[Any, Any] | None:
    """Empty the credentials cache of boto3's default session; return what to put back."""
    boto3 = sys.modules.get("boto3")
    session = getattr(getattr(boto3, "DEFAULT_SESSION", None), "_session", None)
    credentials = getattr(session, "_credentials", None)
    if credentials is None:
        return None
    session._credentials = None  # type: ignore[union-attr]
    return session, credentials


def _set(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
