"""The simulated executor (the default): nothing runs; scripted rules decide each outcome.

An attempt's outcome comes from, in this order (first match wins):

1. the functions registered with ``@batch.on_job(...)``, in registration order — code is the
   more specific tool, so it is consulted before data;
2. the data rules of ``mock_batch(outcomes=[...])`` / ``batch.set_outcomes([...])``, in order;
3. otherwise success: exit code 0 after ``delays.running`` seconds.

A handler returns an exit code (run time ``delays.running``), an :class:`Outcome` (its
``duration`` is used as given, 0.0 included) or None (success, like no handler). A handler that
raises fails the attempt like a crashing program: exit code 1, ``container.reason``
``<ExceptionType>: <message>`` and the traceback in the job's logs. A handler may raise
:class:`StartFailure` to fail the attempt before it runs.

A failed check is also the test's failure: an ``AssertionError`` or a pytest outcome
(``pytest.fail``, ``pytest.skip``) raised by a handler is kept (:meth:`OutcomeScript.take_failure`)
and re-raised, unchanged, by the mock to the test (see ``BatchMock.on_job``); with
``MockOptions.raise_handler_errors`` every other exception is too.
"""

from __future__ import annotations

import copy
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchmock.executors.base import (
    AttemptContext,
    Outcome,
    Services,
    StartFailure,
    outcome_problem,
)

STOPPED_EXIT_CODE = 143
"""§16.7 [inferred]: a stopped (terminated, timed-out) simulated attempt answered SIGTERM."""
MAX_REASON = 1024

Handler = Callable[[AttemptContext], Any]

MATCH_STRING_KEYS = ("jobName", "jobDefinition", "image", "jobQueue")
MATCH_INT_KEYS = ("arrayIndex", "attempt", "nodeIndex")
RULE_KEYS = ("match", "exitCode", "duration", "reason", "statusReason", "logs")


def pattern_matches(pattern: str | None, value: str | None) -> bool:
    """None matches anything; ``abc*`` matches by prefix; anything else must be equal."""
    if pattern is None:
        return True
    if value is None:
        return pattern == "*"
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def _definition_matches(pattern: str | None, ctx: AttemptContext) -> bool:
    """A definition pattern names the definition; with a ``:`` it names ``name:revision``."""
    if pattern is None or ":" not in pattern:
        return pattern_matches(pattern, ctx.job_definition)
    revision = ctx.job_definition_arn.rsplit(":", 1)[-1]
    return pattern_matches(pattern, f"{ctx.job_definition}:{revision}")


@dataclass
class _Registered:
    job_definition: str | None
    job_name: str | None
    image: str | None
    handler: Handler

    def matches(self, ctx: AttemptContext) -> bool:
        return (
            _definition_matches(self.job_definition, ctx)
            and pattern_matches(self.job_name, ctx.job_name)
            and pattern_matches(self.image, ctx.image)
        )


def validate_rules(rules: Any) -> list[dict[str, Any]]:
    """A deep copy of ``rules`` after checking every key; ValueError names the bad member."""
    if isinstance(rules, (str, bytes, Mapping)) or not isinstance(rules, Sequence):
        raise ValueError(f"outcomes must be a list of rule dicts, got {type(rules).__name__}")
    checked = []
    for index, rule in enumerate(rules):
        where = f"outcomes[{index}]"
        if not isinstance(rule, Mapping):
            raise ValueError(f"{where} must be a dict, got {type(rule).__name__}")
        _check_keys(where, rule, RULE_KEYS)
        match = rule.get("match", {})
        if not isinstance(match, Mapping):
            raise ValueError(f"{where}.match must be a dict, got {type(match).__name__}")
        _check_keys(f"{where}.match", match, MATCH_STRING_KEYS + MATCH_INT_KEYS)
        for key in MATCH_STRING_KEYS:
            _check_type(f"{where}.match.{key}", match.get(key), str, "a string")
        for key in MATCH_INT_KEYS:
            _check_int(f"{where}.match.{key}", match.get(key), minimum=0)
        problem = outcome_problem(rule.get("exitCode"), rule.get("duration"))
        if problem is not None:
            raise ValueError(f"{where}.{problem}")
        _check_type(f"{where}.reason", rule.get("reason"), str, "a string")
        _check_type(f"{where}.statusReason", rule.get("statusReason"), str, "a string")
        logs = rule.get("logs")
        if logs is not None and (
            isinstance(logs, str)
            or not isinstance(logs, Sequence)
            or not all(isinstance(line, str) for line in logs)
        ):
            raise ValueError(f"{where}.logs must be a list of strings, got {logs!r}")
        checked.append(copy.deepcopy(dict(rule)))
    return checked


def _check_keys(where: str, given: Mapping[str, Any], allowed: Sequence[str]) -> None:
    unknown = sorted(str(key) for key in given if key not in allowed)
    if unknown:
        raise ValueError(
            f"{where} has unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
        )


def _check_type(where: str, value: Any, kind: type, label: str) -> None:
    if value is not None and not isinstance(value, kind):
        raise ValueError(f"{where} must be {label}, got {value!r}")


def _check_int(where: str, value: Any, minimum: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where} must be >= {minimum}, got {value}")


def _rule_matches(match: Mapping[str, Any], ctx: AttemptContext) -> bool:
    return (
        _definition_matches(match.get("jobDefinition"), ctx)
        and pattern_matches(match.get("jobName"), ctx.job_name)
        and pattern_matches(match.get("image"), ctx.image)
        and pattern_matches(match.get("jobQueue"), ctx.job_queue)
        and match.get("arrayIndex", ctx.array_index) == ctx.array_index
        and match.get("nodeIndex", ctx.node_index) == ctx.node_index
        and match.get("attempt", ctx.attempt) == ctx.attempt
    )


class OutcomeScript:
    """The scripted outcomes of one mock: ``on_job`` handlers, then data rules."""

    def __init__(
        self, rules: Sequence[Mapping[str, Any]] = (), raise_all_errors: bool = False
    ) -> None:
        self._handlers: list[_Registered] = []
        self._rules: list[dict[str, Any]] = validate_rules(list(rules))
        self.raise_all_errors = raise_all_errors
        """Keep every exception of a handler for the test, not only failed checks."""
        self._failures: list[BaseException] = []
        self._failures_lock = threading.Lock()

    def on_job(
        self,
        job_definition: str | None = None,
        job_name: str | None = None,
        image: str | None = None,
    ) -> Callable[[Handler], Handler]:
        """Decorator: ``handler(attempt)`` decides the outcome of matching attempts."""
        for label, value in (
            ("job_definition", job_definition),
            ("job_name", job_name),
            ("image", image),
        ):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"on_job({label}=...) must be a string, got {value!r}")

        def register(handler: Handler) -> Handler:
            if not callable(handler):
                raise ValueError(f"on_job decorates a function, got {handler!r}")
            self._handlers.append(_Registered(job_definition, job_name, image, handler))
            return handler

        return register

    def set_rules(self, rules: Sequence[Mapping[str, Any]]) -> None:
        """Replace the data rules (validated first: a bad list changes nothing)."""
        self._rules = validate_rules(rules)

    def get_rules(self) -> list[dict[str, Any]]:
        """A copy of the data rules in force."""
        return copy.deepcopy(self._rules)

    def resolve(self, ctx: AttemptContext, default_duration: float) -> Outcome:
        """The outcome of this attempt (may raise StartFailure from a handler)."""
        for registered in self._handlers:
            if registered.matches(ctx):
                return self._call(registered.handler, ctx, default_duration)
        for rule in self._rules:
            if _rule_matches(rule.get("match") or {}, ctx):
                duration = rule.get("duration")
                return Outcome(
                    exit_code=rule.get("exitCode", 0),
                    duration=default_duration if duration is None else float(duration),
                    reason=rule.get("reason"),
                    logs=list(rule.get("logs") or []),
                    status_reason=rule.get("statusReason"),
                )
        return Outcome(exit_code=0, duration=default_duration)

    def take_failure(self) -> BaseException | None:
        """The first exception kept for the test since the last call, or None; forgets them all.

        When handlers failed more than once, the exception says how many more (a note, on
        Python 3.11+); each of their jobs failed and holds its traceback in its logs.
        """
        with self._failures_lock:
            failures, self._failures = self._failures, []
        if not failures:
            return None
        first = failures[0]
        if len(failures) > 1 and hasattr(first, "add_note"):
            first.add_note(
                f"batchmock: {len(failures) - 1} more on_job handler failure(s) in the same "
                "call; their jobs failed with the traceback in their logs"
            )
        return first

    def _keep(self, exc: BaseException) -> None:
        with self._failures_lock:
            self._failures.append(exc)

    def _call(self, handler: Handler, ctx: AttemptContext, default_duration: float) -> Outcome:
        try:
            result = handler(ctx)
        except StartFailure:
            raise
        except Exception as exc:  # a crashing "program": the attempt fails
            if self.raise_all_errors or isinstance(exc, AssertionError):
                self._keep(exc)
            return _crashed(exc, traceback.format_exc().rstrip("\n").splitlines())
        except BaseException as exc:
            if not is_test_outcome(exc):
                raise  # KeyboardInterrupt, SystemExit: not the attempt's business
            self._keep(exc)
            return _crashed(exc, traceback.format_exc().rstrip("\n").splitlines())
        if result is None:
            return Outcome(exit_code=0, duration=default_duration)
        if isinstance(result, int) and not isinstance(result, bool):
            result = Outcome(exit_code=result, duration=default_duration)
        if isinstance(result, Outcome):
            problem = outcome_problem(result.exit_code, result.duration)
            if problem is None:
                return copy.copy(result)
            bounds = ValueError(
                f"on_job handler {getattr(handler, '__name__', handler)!r} returned an outcome "
                f"whose {problem}"
            )
            if self.raise_all_errors:
                self._keep(bounds)
            return _crashed(bounds, [f"ValueError: {bounds}"])
        error = TypeError(
            f"on_job handler {getattr(handler, '__name__', handler)!r} returned {result!r}; "
            "return an exit code (int), a batchmock.Outcome or None"
        )
        if self.raise_all_errors:
            self._keep(error)
        return _crashed(error, [f"TypeError: {error}"])


def is_test_outcome(exc: BaseException) -> bool:
    """True for pytest's ``fail``/``skip``/``xfail`` exceptions (pytest is not imported here)."""
    outcomes = sys.modules.get("_pytest.outcomes")
    base = getattr(outcomes, "OutcomeException", None)
    return isinstance(base, type) and isinstance(exc, base)


def _crashed(exc: BaseException, lines: list[str]) -> Outcome:
    reason = f"{type(exc).__name__}: {exc}"[:MAX_REASON]
    return Outcome(exit_code=1, duration=0.0, reason=reason, logs=lines)


class SimulatedExecution:
    """An attempt whose outcome is known at launch; the engine plays its duration."""

    simulated = True

    def __init__(self, outcome: Outcome) -> None:
        self._outcome = outcome
        self._logs = list(outcome.logs)

    def poll(self) -> Outcome | None:
        """The scripted outcome (or the stop outcome after :meth:`stop`)."""
        return self._outcome

    def wait(self, timeout: float | None = None) -> Outcome | None:
        """Never blocks: the outcome is already known."""
        return self._outcome

    def stop(self, grace_seconds: float) -> None:
        """The simulated program answers SIGTERM at once."""
        self._outcome = Outcome(exit_code=STOPPED_EXIT_CODE, duration=0.0)

    def drain_logs(self) -> list[str]:
        """The scripted lines, once."""
        lines, self._logs = self._logs, []
        return lines


class SimulatedExecutor:
    """Runs nothing: each attempt's outcome comes from an :class:`OutcomeScript`.

    With ``services`` (a mock's), every attempt has its CloudWatch log stream, as a real one
    does: the outcome's ``logs`` lines, or an empty stream. They are kept until something uses
    moto (``MockServices.record_log``), so tests that never read CloudWatch never start moto.
    """

    def __init__(
        self, script: OutcomeScript, default_duration: float, services: Services | None = None
    ) -> None:
        self.script = script
        self.default_duration = default_duration
        self.services = services

    def launch(self, ctx: AttemptContext) -> SimulatedExecution:
        """Decide the outcome now; StartFailure from a handler propagates to the engine."""
        outcome = self.script.resolve(ctx, self.default_duration)
        if self.services is not None:
            self.services.record_log(ctx, outcome.logs)
        return SimulatedExecution(outcome)

    def shutdown(self) -> None:
        """Nothing is alive."""
