"""BatchMock and ``mock_batch``: the front door, as decorator, context manager and controller."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import threading
import time
import unittest
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse, HeadersDict

from batchmock import interceptor, routing
from batchmock.errors import MockNotActiveError
from batchmock.fake_env import FakeEnvironment
from batchmock.moto_bridge import MotoBridge, mark_answered
from batchmock.observe import recorder
from batchmock.options import Delays, MockOptions, host_rule
from batchmock.protocol import wire

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend
    from batchmock.backend.registry import BackendRegistry
    from batchmock.engine.idle import UnfinishedJob
    from batchmock.engine.runtime import Runtime
    from batchmock.executors.ecs import TaskRegistry
    from batchmock.mock_services import MockServices
    from batchmock.protocol.serialize import Response

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class _Body:
    """The raw body botocore reads from an ``AWSResponse``."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


class BatchMock:
    """An in-memory AWS Batch, active between ``start()`` and ``stop()``.

    Use it as a decorator, a context manager (sync or async) or a pytest fixture::

        @mock_batch
        def test_queue():
            boto3.client("batch", region_name="us-east-1").describe_job_queues()

        with mock_batch(region="eu-west-1") as batch:
            client = boto3.client("batch", region_name="eu-west-1")
            job = client.submit_job(jobName="j", jobQueue="q", jobDefinition="d")
            batch.run_until_idle()

    Each activation starts from an empty service; everything is dropped when it ends, also when
    the test fails. While active, every request of a boto3 Batch client is answered here (clients
    and sessions made before the mock, or before ``import batchmock``, included) and, with
    ``route_to_moto`` (the default), every other AWS request is answered by moto; a request that
    nothing answers may only go to a loopback address (:class:`batchmock.NetworkRefusedError`
    otherwise). Fake credentials replace the environment's while it is active.

    The controller methods (``client``, ``advance``, ``run_until_idle``, ``on_job``, ...) work
    only while the mock is active; outside they raise :class:`batchmock.MockNotActiveError`.
    """

    def __init__(self, **options: Any) -> None:
        self.options = _make_options(options)
        self._depth = 0
        self._lock = threading.RLock()
        self._registry: BackendRegistry | None = None
        self._runtime: Runtime | None = None
        self._moto = MotoBridge()
        self._services: MockServices | None = None
        self._env = FakeEnvironment()
        self._owned: tuple[str, ...] = ()
        self._allowed = tuple(host_rule(entry) for entry in self.options.allow_hosts)
        self._intercepting = False

    # -- activation: the only two places with logic ------------------------------------------
    def start(self, *, intercept: bool = True) -> BatchMock:
        """Activate the mock; re-entering an active mock only counts the nesting."""
        with self._lock:
            self._depth += 1
            if self._depth > 1:
                return self
            from batchmock.mock_services import MockServices

            try:
                lazy_logs = not intercept or self.options.route_to_moto
                self._services = MockServices(self, self._prepare_moto, lazy_logs)
                self._fresh_state()
            except BaseException:
                self._depth -= 1
                self._services = self._runtime = self._registry = None
                raise
            self._owned = _owned_endpoints(self.options)
            self._env.apply(self.options.region, always=intercept)
            self._intercepting = intercept
            if intercept:
                interceptor.push(self)
            recorder.note_started(self)
            return self

    def stop(self) -> None:
        """Deactivate the mock once the outermost activation ends, discarding all state.

        Then re-raises a failed check of an ``on_job`` handler that no earlier call re-raised.
        """
        self._stop(raise_failures=True)

    def _stop(self, raise_failures: bool) -> None:
        failure: BaseException | None = None
        with self._lock:
            if self._depth == 0:
                return
            self._depth -= 1
            if self._depth > 0:
                return
            try:
                recorder.note_stopping(self)  # a failing test's report shows these jobs
                if self._intercepting:
                    interceptor.pop(self)
                if self._runtime is not None:
                    failure = self._runtime.script.take_failure()
                    self._runtime.shutdown()
            finally:
                self._intercepting = False
                if self._services is not None:
                    self._services.close()  # the server real jobs call; they are gone by now
                    self._services = None
                self._moto.stop()
                self._env.restore()
                self._runtime = None
                self._registry = None
        if failure is not None and raise_failures:
            raise failure

    # -- context managers and decorators -----------------------------------------------------
    def __enter__(self) -> BatchMock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        # an exception already on its way out is the test's failure: it is not replaced
        self._stop(raise_failures=exc[0] is None)

    async def __aenter__(self) -> BatchMock:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self._stop(raise_failures=exc[0] is None)

    def __call__(self, target: T) -> T:
        """Decorate a function, a coroutine function, a TestCase or a plain test class."""
        if inspect.isclass(target):
            if issubclass(target, unittest.TestCase):
                return self._decorate_testcase(target)  # type: ignore[return-value]
            return self._decorate_class(target)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(target):
            return self._decorate_async(target)  # type: ignore[return-value]
        if callable(target):
            return self._decorate_sync(target)  # type: ignore[return-value]
        raise TypeError(f"mock_batch cannot decorate {target!r}")

    def _decorate_sync(self, func: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            with self:
                return func(*args, **kwargs)

        return wrapper

    def _decorate_async(self, func: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> T:
            async with self:
                return await func(*args, **kwargs)

        return wrapper

    def _decorate_testcase(self, cls: type[unittest.TestCase]) -> type[unittest.TestCase]:
        original = cls.setUp
        mock = self

        @functools.wraps(original)
        def set_up(test: unittest.TestCase) -> None:
            mock.start()
            test.addCleanup(mock.stop)
            original(test)

        cls.setUp = set_up  # type: ignore[method-assign,assignment]
        return cls

    def _decorate_class(self, cls: type) -> type:
        for name, value in list(vars(cls).items()):
            if name.startswith("test") and inspect.isfunction(value):
                setattr(cls, name, self(value))
        return cls

    # -- the request path --------------------------------------------------------------------
    def intercept(self, event_name: str, request: Any) -> AWSResponse | None:
        """The interceptor's question: answer ``request`` (an AWSPreparedRequest), or None."""
        parts = urlsplit(request.url)
        host = parts.netloc
        local_unowned = self.lets_through(request.url) and not routing.owns_url(
            request.url, self._owned
        )
        if event_name.startswith("before-send.batch."):
            if local_unowned:
                return None  # a real server (on this machine, or allowed) answers
            status, headers, body = self.handle(
                request.method, parts.path, parts.query, request.headers, request.body, host
            )
            mark_answered(request)
            runtime = self._runtime
            if runtime is not None:
                # a failed check of a handler this request ran (a polling DescribeJobs) reaches
                # the test as itself: botocore hands a non-HTTP error of before-send to the
                # caller unchanged, never retried, never turned into an HTTP error
                runtime.raise_handler_failure()
            return AWSResponse(
                request.url,
                status,
                HeadersDict(headers),  # type: ignore[arg-type]
                _Body(body),
            )
        if self.options.route_to_moto and not local_unowned:
            self.flush_logs()
            response: AWSResponse | None = self._moto.handle(event_name, request)
            if response is not None:
                mark_answered(request)
            return response
        return None

    def lets_through(self, url: str) -> bool:
        """True when a request to ``url`` may leave the process while this mock intercepts: its
        host is a loopback address or matches the ``allow_hosts`` option."""
        return routing.is_loopback_url(url) or routing.allows(url, self._allowed)

    def handle(
        self,
        method: str,
        path: str,
        query: str,
        headers: Any,
        body: bytes | str | None,
        host: str = "",
    ) -> Response:
        """Answer one Batch HTTP request: ``(status, headers, body)``; used by the server too."""
        access_key, signed_region = routing.signer_of(headers)
        region = routing.region_of_host(host) or signed_region or self.options.region
        account = routing.account_of_key(access_key) or self.options.account_id
        return wire.handle(method, path, query, body, self.backend(account, region).dispatch)

    # -- the controller ----------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """True between start() and the matching stop()."""
        return self._depth > 0

    @property
    def runtime(self) -> Runtime:
        """The clock, executor and engines of the active mock."""
        return self._active_runtime("runtime")

    def _active_runtime(self, what: str) -> Runtime:
        runtime = self._runtime
        if runtime is None:
            raise MockNotActiveError(
                f"mock.{what} needs an active mock, and this one is not active: use it inside "
                "`with mock_batch() as mock:` or a test decorated with @mock_batch (or between "
                "mock.start() and mock.stop())."
            )
        return runtime

    def backend(self, account_id: str | None = None, region: str | None = None) -> BatchBackend:
        """The in-memory service of one account and region (the mock's defaults if omitted)."""
        self._active_runtime("backend()")
        assert self._registry is not None
        return self._registry.get(account_id, region)

    def backends(self) -> list[BatchBackend]:
        """Every backend used so far in this activation."""
        self._active_runtime("backends()")
        return [] if self._registry is None else list(self._registry)

    def client(self, **kwargs: Any) -> Any:
        """A boto3 Batch client in the mock's region (keyword arguments go to boto3.client)."""
        self._active_runtime("client()")
        import boto3

        kwargs.setdefault("region_name", self.options.region)
        return boto3.client("batch", **kwargs)

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward, processing every event due on the way, in order.

        Re-raises a failed check of an ``on_job`` handler run on the way (see :meth:`on_job`).
        """
        self._active_runtime("advance()").advance(seconds)

    def run_until_idle(self) -> list[UnfinishedJob]:
        """Process events until every job is finished or blocked by something time cannot fix.

        Returns the jobs that did not finish (empty when every job SUCCEEDED or FAILED), each a
        :class:`batchmock.UnfinishedJob` with its status and statusReason, so a test can say
        what is stuck: ``assert not mock.run_until_idle()``. Re-raises a failed check of an
        ``on_job`` handler run on the way (see :meth:`on_job`).
        """
        from batchmock.engine.idle import unfinished_jobs

        runtime = self._active_runtime("run_until_idle()")
        runtime.run_until_idle()
        with runtime.lock:
            return unfinished_jobs(runtime.engines)

    def on_job(
        self,
        job_definition: str | None = None,
        job_name: str | None = None,
        image: str | None = None,
    ) -> Callable[[F], F]:
        """Register a function that decides the outcome of matching attempts (simulated runs).

        The function gets a :class:`batchmock.AttemptContext` and returns an exit code, a
        :class:`batchmock.Outcome` or None (the default outcome). A handler that raises fails the
        attempt like a crashing program (exit code 1, the traceback in the job's logs). An
        ``assert`` that fails in it (an ``AssertionError``, or ``pytest.fail``) fails the test as
        well: the same exception is re-raised by the call that ran the handler (``advance``,
        ``run_until_idle``, a polling DescribeJobs/ListJobs through boto3) or, at the latest,
        when the mock ends. Option ``raise_handler_errors`` makes every exception of a handler
        reach the test this way.
        """
        return self._active_runtime("on_job()").on_job(
            job_definition=job_definition, job_name=job_name, image=image
        )

    def set_outcomes(self, rules: list[dict[str, Any]]) -> None:
        """Replace the scripted outcome rules (the data form of ``on_job``)."""
        self._active_runtime("set_outcomes()").set_outcomes(rules)

    def get_outcomes(self) -> list[dict[str, Any]]:
        """The scripted outcome rules in force."""
        return self._active_runtime("get_outcomes()").get_outcomes()

    def logs(self, job_id: str) -> list[str]:
        """The lines a job wrote, over all its attempts."""
        return self._active_runtime("logs()").logs(job_id)

    def __repr__(self) -> str:
        """``<BatchMock active, clock virtual at 2026-...Z, jobs: RUNNABLE=1 SUCCEEDED=3>``."""
        from batchmock.engine.idle import job_counts

        runtime = self._runtime
        if runtime is None:
            return f"<BatchMock inactive, region {self.options.region}>"
        with runtime.lock:
            now_ms = runtime.clock.now_ms()
            counts = job_counts(runtime.engines)
        jobs = " ".join(f"{status}={n}" for status, n in counts.items()) or "none"
        return f"<BatchMock active, clock {self.options.clock} at {_iso(now_ms)}, jobs: {jobs}>"

    def now_ms(self) -> int:
        """The mock clock's time, epoch milliseconds."""
        return self.runtime.clock.now_ms()

    @property
    def clock_name(self) -> str:
        """``"virtual"`` or ``"real"``: the clock the mock's jobs move on."""
        return str(self.options.clock)

    def save_timeline(self, path: str | os.PathLike[str], title: str | None = None) -> str:
        """Write the jobs' timeline as one self-contained HTML file; return its path.

        A Gantt row per job (SUBMITTED ... terminal, on the mock's clock), aggregated past a
        few hundred jobs; inline CSS, no script, nothing fetched when it is opened.
        """
        from batchmock.observe.timeline_html import render_html

        with self.runtime.lock:
            page = render_html(
                self.backends(), self.now_ms(), self.clock_name, title or "batchmock timeline"
            )
        target = os.fspath(path)
        with open(target, "w", encoding="utf-8") as out:
            out.write(page)
        return target

    def timeline_text(self, max_jobs: int = 40) -> str:
        """Each job's status history, attempts and reason as text (what failure reports show)."""
        from batchmock.observe.timeline import report

        return report(self.backends(), self.now_ms(), self.clock_name, max_jobs=max_jobs)

    def reset(self) -> None:
        """Drop every resource and job of the active mock, keeping it active.

        Then re-raises a failed check of an ``on_job`` handler no earlier call re-raised.
        """
        with self._lock:
            self._active_runtime("reset()")
            assert self._runtime is not None
            failure = self._runtime.script.take_failure()
            self._runtime.shutdown()
            self._fresh_state()
        if failure is not None:
            raise failure  # a failed check of a handler of the state just dropped

    def _fresh_state(self) -> None:
        """A new runtime and registry, with Batch's EventBridge events (``job_events``)."""
        from batchmock.backend.registry import BackendRegistry
        from batchmock.engine.runtime import Runtime
        from batchmock.job_events import blocked_sink_factory, service_sink_factory, sink_factory

        options = self.options
        self._runtime = Runtime(
            options, self._services, sink_factory(options), blocked_sink_factory(options)
        )
        self._registry = BackendRegistry(options, self._runtime, service_sink_factory(options))

    def flush_logs(self) -> None:
        """Write simulated attempts' log streams kept back until moto is used (moto is about to
        answer a request: a test's ``get_log_events`` must find them)."""
        services = self._services
        if services is not None:
            services.flush_logs()

    @property
    def ecs_tasks(self) -> TaskRegistry | None:
        """The ECS endpoints of the attempts running now (answered by the mock's server)."""
        services = self._services
        return None if services is None else services.tasks

    def _prepare_moto(self) -> None:
        """Before real jobs touch moto: start the moto this mock's clients reach, if it routes."""
        if self._intercepting and self.options.route_to_moto:
            self._moto.ensure_started()


def _iso(epoch_ms: int) -> str:
    seconds, ms = divmod(epoch_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


def _make_options(given: dict[str, Any]) -> MockOptions:
    known = {f.name for f in dataclasses.fields(MockOptions)}
    unknown = sorted(set(given) - known)
    if unknown:
        raise TypeError(
            f"Unknown mock_batch option(s): {', '.join(unknown)}. "
            f"Options are: {', '.join(sorted(known))}."
        )
    values = dict(given)
    if isinstance(values.get("allow_hosts"), (list, set, frozenset)):
        values["allow_hosts"] = tuple(values["allow_hosts"])
    if "outcomes" in values:
        values["outcomes"] = tuple(values["outcomes"] or ())
    if isinstance(values.get("delays"), dict):
        values["delays"] = Delays(**values["delays"])
    return MockOptions(**values)


def _owned_endpoints(options: MockOptions) -> tuple[str, ...]:
    owned = [options.endpoint_url] if options.endpoint_url else []
    if options.own_env_endpoint:
        owned += [
            os.environ[name]
            for name in ("AWS_ENDPOINT_URL_BATCH", "AWS_ENDPOINT_URL")
            if os.environ.get(name)
        ]
    return tuple(owned)


@overload
def mock_batch(func: F) -> F: ...


@overload
def mock_batch(func: None = None, **options: Any) -> BatchMock: ...


def mock_batch(func: Any = None, **options: Any) -> Any:
    """Mock AWS Batch: ``@mock_batch``, ``@mock_batch(**options)`` or ``with mock_batch() as b``.

    Options are the fields of :class:`batchmock.options.MockOptions` (region, account_id, clock,
    executor, outcomes, route_to_moto, endpoint_url, delays, ...).
    """
    if func is None:
        return BatchMock(**options)
    if options:
        raise TypeError("mock_batch takes options only when called without a function")
    return BatchMock()(func)
