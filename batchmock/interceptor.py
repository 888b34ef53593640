"""How requests reach a mock: one botocore ``before-send`` handler and two guards.

While at least one mock intercepts (between ``push`` and the matching ``pop``):

- **the endpoint guard** wraps ``botocore.endpoint.Endpoint._do_get_response``, the one method
  every request of every client passes through just before botocore emits ``before-send``. It
  makes sure the client's event emitter carries :func:`before_send`, registered to run first
  (so Batch requests are answered by batchmock only, never a second time by moto's handler).
  Interception therefore does not depend on import order: a client made before
  ``import batchmock``, from a session (boto3's default one included) made before it, or before
  the mock started, is answered like one made inside the mock. Arming an emitter costs one
  attribute lookup per request afterwards.
- **the network guard** wraps ``botocore.httpsession.URLLib3Session.send``, where botocore's
  requests (API calls, but also credential refreshes and instance metadata) leave the process.
  A request that no handler answered and whose host is not a loopback address is refused with
  :class:`batchmock.errors.NetworkRefusedError`: nothing reaches AWS while a mock is active.
  Loopback hosts not owned by the mock (a real server on this machine, such as batchmock's own
  ``ThreadedServer``) are still reached, and so are the hosts the innermost mock's
  ``allow_hosts`` option lists (a user's own service elsewhere).

When the last mock stops, both methods are put back (unless another library wrapped them in the
meantime: then our wrappers stay in its chain, inert, as they check for an active mock first).
Importing batchmock changes nothing in botocore. aiobotocore (batchmock never imports it) gets
the same two guards: the endpoint guard on ``AioEndpoint._do_get_response``, the network guard on
the ``send`` of each of its HTTP sessions (``AIOHTTPSession``, and ``HttpxSession`` when the
installed aiobotocore has it: also used directly by its credential and metadata fetchers) and on
``AioEndpoint._send``, through which every client request reaches whatever session class the
client was configured with (``AioConfig(http_session_cls=...)``), so a session class of the
user's or of a later aiobotocore is refused too. Its clients are armed with
:func:`before_send_aio`, which answers with awaitable bodies as aiobotocore reads them. When
those modules are not yet imported as the first mock starts, an import hook (:class:`_OnImport`,
on ``sys.meta_path`` only while a mock is active and only until they are all imported) wraps them
as soon as they are imported inside the mock. Sync users never pay on a request for it: the hook
is consulted only when a module not yet imported is imported.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import inspect
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from botocore.endpoint import Endpoint
from botocore.httpsession import URLLib3Session

from batchmock.errors import NetworkRefusedError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSResponse
    from botocore.client import BaseClient

    from batchmock.mock import BatchMock

_UNIQUE_ID = "batchmock-before-send"
_ARMED = "_batchmock_armed"

# The only module-level state of batchmock: the intercepting mocks, innermost last.
_active: list[BatchMock] = []
_lock = threading.Lock()
_arm_lock = threading.Lock()


def before_send(request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
    """Answer ``request`` from the innermost active mock, or return None to let it through."""
    if not _active:
        return None
    return _active[-1].intercept(event_name, request)


async def before_send_aio(request: Any, event_name: str = "", **_: Any) -> Any:
    """:func:`before_send` for an aiobotocore client: the answer with an awaitable body."""
    if not _active:
        return None
    read = getattr(request.body, "read", None)
    if read is not None and inspect.iscoroutinefunction(read):
        request.body = await read()  # an async request body (S3 uploads): the mocks read bytes
    response = before_send(request, event_name)
    if response is None:
        return None
    from aiobotocore.awsrequest import AioAWSResponse  # type: ignore[import-untyped,import-not-found,unused-ignore]

    return AioAWSResponse(
        response.url,
        response.status_code,
        response.headers,
        _AioRaw(response.content, response.url),
    )


class _AioStream:
    """The ``content`` stream aiobotocore's streaming body reads from (aiohttp's shape)."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._at = 0

    def at_eof(self) -> bool:
        return self._at >= len(self._body)

    async def read(self, n: int = -1) -> bytes:
        end = len(self._body) if n < 0 else self._at + n
        chunk = self._body[self._at : end]
        self._at += len(chunk)
        return chunk


class _AioRaw:
    """An answered body as aiobotocore reads a raw aiohttp response: awaitable."""

    def __init__(self, body: bytes, url: str) -> None:
        self.content = _AioStream(body)
        self.url = url

    async def read(self) -> bytes:
        return await self.content.read()

    async def __aenter__(self) -> _AioRaw:
        # aiobotocore 2.x's StreamingBody enters the raw response (``async with body``)
        return self

    async def __aexit__(self, *_: object) -> None:
        self.release()

    def close(self) -> None:
        """Nothing to release: the body is in memory."""

    def release(self) -> None:
        """Nothing to release: the body is in memory."""


def arm(events: Any, handler: Callable[..., Any] = before_send) -> None:
    """Make sure a client's event emitter runs :func:`before_send` first (idempotent)."""
    if getattr(events, _ARMED, False):
        return
    # Locked: two threads making a shared client's first requests must not both register it
    # (a handler registered twice would answer, and so execute, each request twice).
    with _arm_lock:
        if getattr(events, _ARMED, False):  # another thread armed it while we waited
            return
        events.register_first("before-send", handler, unique_id=_UNIQUE_ID)
        try:
            setattr(events, _ARMED, True)
        except AttributeError:  # an emitter that takes no attributes: re-registering is a no-op
            pass


def patch_client(client: BaseClient) -> None:
    """Route ``client`` through batchmock now.

    Not needed: every client is armed on its first request while a mock is active, wherever and
    whenever it was made. Kept for code written against earlier versions.
    """
    arm(client.meta.events)


def push(mock: BatchMock) -> None:
    """Make ``mock`` the one that answers requests (the guards go on with the first mock)."""
    with _lock:
        _active.append(mock)
        if len(_active) == 1:
            for patch in _PATCHES:
                patch.on()
            _ON_IMPORT.watch()


def pop(mock: BatchMock) -> None:
    """Stop ``mock`` answering requests (the innermost remaining mock takes over)."""
    with _lock:
        for i in range(len(_active) - 1, -1, -1):
            if _active[i] is mock:
                del _active[i]
                break
        if not _active:
            _ON_IMPORT.unwatch()
            for patch in _PATCHES:
                patch.off()


def current() -> BatchMock | None:
    """The innermost active mock, if any."""
    return _active[-1] if _active else None


def refusal(url: str) -> str:
    """The message of a request to ``url`` refused by the network guard."""
    return (
        f"batchmock refused a request to {url}: while mock_batch is active nothing may leave "
        "this machine, and no mock answered it (Batch requests are answered by batchmock, "
        "other AWS services by moto unless route_to_moto=False). Point the client at a "
        "loopback endpoint (a server on 127.0.0.1), list its host in the mock's allow_hosts "
        "option, or make the request outside the mock."
    )


# -- the guards --------------------------------------------------------------------------------
def _arming(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _do_get_response(self: Any, request: Any, operation_model: Any, context: Any) -> Any:
        if _active:
            arm(self._event_emitter)
        return original(self, request, operation_model, context)

    return _do_get_response


def _arming_aio(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    async def _do_get_response(self: Any, request: Any, operation_model: Any, context: Any) -> Any:
        if _active:
            arm(self._event_emitter, before_send_aio)
        return await original(self, request, operation_model, context)

    return _do_get_response


def _guard(url: str) -> None:
    """Refuse ``url`` unless no mock is active or the innermost one lets it through."""
    mock = current()
    if mock is not None and not mock.lets_through(url):
        raise NetworkRefusedError(refusal(url))


def _refusing_aio(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    async def send(self: Any, request: Any) -> Any:
        _guard(request.url)
        return await original(self, request)

    return send


def _refusing(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def send(self: Any, request: Any) -> Any:
        _guard(request.url)
        return original(self, request)

    return send


class _Patch:
    """A method of a botocore class, wrapped while a mock is active."""

    def __init__(
        self,
        owner: type | tuple[str, str],
        name: str,
        wrap: Callable[[Callable[..., Any]], Callable[..., Any]],
    ) -> None:
        self.owner: Any = owner  # or (module, class): patched only if that module is imported
        self.name = name
        self.wrap = wrap
        self.original: Callable[..., Any] | None = None
        self.wrapper: Callable[..., Any] | None = None
        self.inherited = False  # the method was the base class's: put back by deleting ours

    def on(self) -> None:
        if self.wrapper is not None:
            return
        if isinstance(self.owner, tuple):
            module = sys.modules.get(self.owner[0])
            owner = getattr(module, self.owner[1], None)
            if owner is None:  # not imported (or still being imported): nothing of it in use;
                return  # _OnImport calls on() again once it is imported inside the mock
            self.owner = owner
        self.original = getattr(self.owner, self.name, None)
        if self.original is None:  # a version of the library without it: nothing to guard
            return
        self.inherited = self.name not in self.owner.__dict__
        self.wrapper = self.wrap(self.original)
        setattr(self.owner, self.name, self.wrapper)

    def off(self) -> None:
        wrapper, self.wrapper = self.wrapper, None
        if wrapper is not None and self.owner.__dict__.get(self.name) is wrapper:
            if self.inherited:
                delattr(self.owner, self.name)
            else:
                setattr(self.owner, self.name, self.original)

    @property
    def pending_module(self) -> str | None:
        """The module whose import this patch waits for, if it is not resolved yet."""
        return self.owner[0] if isinstance(self.owner, tuple) else None


class _OnImport(importlib.abc.MetaPathFinder):
    """An import hook that applies a pending patch as its module is imported inside a mock.

    On ``sys.meta_path`` (first) only between the first mock's start and the last one's stop,
    and only while a patched module is still unimported. It answers no import itself: for a
    watched module it asks the finders after it, and wraps the loader they found so that the
    patch goes on right after the module has run.
    """

    def pending(self) -> set[str]:
        return {name for patch in _PATCHES if (name := patch.pending_module) is not None}

    def watch(self) -> None:
        """Called under ``_lock`` as the first mock starts."""
        if self.pending() and self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def unwatch(self) -> None:
        """Called under ``_lock`` as the last mock stops, or once nothing is pending."""
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith("aiobotocore.") or fullname not in self.pending():
            return None  # every other import: one string test
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec: importlib.machinery.ModuleSpec | None = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None

    def imported(self, name: str) -> None:
        """``name`` has just run: put its patches on if a mock is (still) active."""
        with _lock:
            if not _active:
                return
            for patch in _PATCHES:
                if patch.pending_module == name:
                    patch.on()
            if not self.pending():
                self.unwatch()


class _PatchingLoader(importlib.abc.Loader):
    """A module's own loader, then :meth:`_OnImport.imported` once the module has run."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _ON_IMPORT.imported(module.__name__)

    def __getattr__(self, name: str) -> Any:  # get_source, get_resource_reader, ...
        return getattr(self._loader, name)


_PATCHES = (
    _Patch(Endpoint, "_do_get_response", _arming),
    _Patch(URLLib3Session, "send", _refusing),
    _Patch(("aiobotocore.endpoint", "AioEndpoint"), "_do_get_response", _arming_aio),
    _Patch(("aiobotocore.httpsession", "AIOHTTPSession"), "send", _refusing_aio),
    # optional in aiobotocore (its ``httpx`` extra); also what its fetchers use on trio
    _Patch(("aiobotocore.httpxsession", "HttpxSession"), "send", _refusing_aio),
    # every client request, whatever its ``http_session_cls``: no session class is missed
    _Patch(("aiobotocore.endpoint", "AioEndpoint"), "_send", _refusing_aio),
)
_ON_IMPORT = _OnImport()
