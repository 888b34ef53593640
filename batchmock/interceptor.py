"""The one botocore ``before-send`` handler, and the stack of active mocks it serves.

The handler is added to botocore's built-in handlers at import, marked to run first, so every
client made afterwards carries it, and it runs before moto's own handler: Batch requests are
answered by batchmock only, never executed a second time by moto. A client made before
``import batchmock`` can be patched with :func:`patch_client`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import botocore.handlers

if TYPE_CHECKING:
    from botocore.awsrequest import AWSResponse
    from botocore.client import BaseClient

    from batchmock.mock import BatchMock

_UNIQUE_ID = "batchmock-before-send"

# The only module-level state of batchmock: the active mocks, innermost last.
_active: list[BatchMock] = []
_lock = threading.Lock()


def before_send(request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
    """Answer ``request`` from the innermost active mock, or return None to let it through."""
    if not _active:
        return None
    return _active[-1].intercept(event_name, request)


def push(mock: BatchMock) -> None:
    """Make ``mock`` the one that answers requests."""
    with _lock:
        _active.append(mock)


def pop(mock: BatchMock) -> None:
    """Stop ``mock`` answering requests (the innermost remaining mock takes over)."""
    with _lock:
        for i in range(len(_active) - 1, -1, -1):
            if _active[i] is mock:
                del _active[i]
                return


def current() -> BatchMock | None:
    """The innermost active mock, if any."""
    return _active[-1] if _active else None


def patch_client(client: BaseClient) -> None:
    """Route a client made before ``import batchmock`` through batchmock too."""
    client.meta.events.register_first(
        "before-send",
        before_send,  # type: ignore[arg-type]
        unique_id=_UNIQUE_ID,
    )


def _install() -> None:
    spec = ("before-send", before_send, botocore.handlers.REGISTER_FIRST)
    if spec not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(spec)


_install()
