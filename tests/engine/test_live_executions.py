"""The Executor protocol with *live* executions (real processes), as issue 4 will plug in.

A small subprocess executor, written here, proves that the runtime waits for real work in
``run_until_idle``, polls it on every step, enforces timeouts in real seconds (through the
``real_timeout_seconds`` hook), stops it on terminate and kills leftovers at mock exit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from batchmock import mock_batch
from batchmock.engine.runtime import Runtime
from batchmock.executors.base import AttemptContext, Outcome
from tests.engine.helpers import describe, setup, status, submit
from tests.support import make_job_definition


class ProcessExecution:
    """One attempt as a host process."""

    simulated = False

    def __init__(self, ctx: AttemptContext) -> None:
        env = {"PATH": os.environ.get("PATH", ""), **ctx.env}
        self.process = subprocess.Popen(ctx.command, env=env, stdout=subprocess.PIPE, text=True)
        self._lines: list[str] = []
        self._outcome: Outcome | None = None

    def poll(self) -> Outcome | None:
        if self._outcome is None and self.process.poll() is not None:
            out, _ = self.process.communicate()
            self._lines.extend(out.splitlines())
            code = self.process.returncode
            self._outcome = Outcome(exit_code=128 - code if code < 0 else code)
        return self._outcome

    def wait(self, timeout: float | None = None) -> Outcome | None:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.poll()

    def stop(self, grace_seconds: float) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def drain_logs(self) -> list[str]:
        lines, self._lines = self._lines, []
        return lines


class ProcessExecutor:
    def __init__(self) -> None:
        self.executions: list[ProcessExecution] = []

    def launch(self, ctx: AttemptContext) -> ProcessExecution:
        execution = ProcessExecution(ctx)
        self.executions.append(execution)
        return execution

    def shutdown(self) -> None:
        for execution in self.executions:
            if execution.process.poll() is None:
                execution.process.kill()
            execution.process.wait()
            if execution.process.stdout is not None:
                execution.process.stdout.close()


SCRIPT = (
    "import os, sys, time\n"
    "print('attempt', os.environ['AWS_BATCH_JOB_ATTEMPT'])\n"
    "time.sleep(float(os.environ.get('SLEEP', '0')))\n"
    "sys.exit(int(os.environ.get('CODE', '0')))\n"
)


@pytest.fixture
def executor() -> Iterator[ProcessExecutor]:
    found = ProcessExecutor()
    yield found
    found.shutdown()


def _setup(batch: Any) -> None:
    setup(batch)
    make_job_definition(
        batch, name="py", containerProperties={"command": [sys.executable, "-c", SCRIPT]}
    )


def _env(**values: str) -> dict[str, Any]:
    return {
        "containerOverrides": {"environment": [{"name": k, "value": v} for k, v in values.items()]}
    }


def test_run_until_idle_waits_for_real_processes(executor: ProcessExecutor) -> None:
    with mock_batch(auto_advance=False, executor=executor) as mock:
        batch = mock.client()
        _setup(batch)
        ok = submit(batch, name="ok", definition="py")
        bad = submit(batch, name="bad", definition="py", **_env(CODE="3"))
        mock.run_until_idle()
        assert status(batch, ok) == "SUCCEEDED"
        job = describe(batch, bad)
        assert job["status"] == "FAILED"
        assert job["container"]["exitCode"] == 3
        assert mock.logs(ok) == ["attempt 1"]


def test_retries_run_the_process_again(executor: ProcessExecutor) -> None:
    with mock_batch(auto_advance=False, executor=executor) as mock:
        batch = mock.client()
        _setup(batch)
        job_id = submit(
            batch, name="bad", definition="py", retryStrategy={"attempts": 2}, **_env(CODE="1")
        )
        mock.run_until_idle()
        assert [a["container"]["exitCode"] for a in describe(batch, job_id)["attempts"]] == [1, 1]
        assert mock.logs(job_id) == ["attempt 1", "attempt 2"]


def test_polling_loop_sees_a_real_job_finish(executor: ProcessExecutor) -> None:
    with mock_batch(executor=executor) as mock:
        batch = mock.client()
        _setup(batch)
        job_id = submit(batch, name="ok", definition="py")
        for _ in range(10):
            if status(batch, job_id) == "RUNNING":
                break
        executor.executions[0].process.wait(timeout=30)
        assert status(batch, job_id) == "SUCCEEDED"


def test_timeout_stops_the_process_in_real_seconds(
    executor: ProcessExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Runtime, "real_timeout_seconds", lambda self, seconds: 0.2)
    with mock_batch(auto_advance=False, executor=executor) as mock:
        batch = mock.client()
        _setup(batch)
        job_id = submit(
            batch,
            name="slow",
            definition="py",
            retryStrategy={"attempts": 3},
            timeout={"attemptDurationSeconds": 60},
            **_env(SLEEP="60"),
        )
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert job["status"] == "FAILED"
        assert job["statusReason"] == "Job attempt duration exceeded timeout"
        assert job["container"]["exitCode"] == 143
        assert len(job["attempts"]) == 1


def test_terminate_stops_the_process(executor: ProcessExecutor) -> None:
    with mock_batch(auto_advance=False, executor=executor) as mock:
        batch = mock.client()
        _setup(batch)
        job_id = submit(batch, name="slow", definition="py", **_env(SLEEP="60"))
        mock.advance(3)
        assert status(batch, job_id) == "RUNNING"
        batch.terminate_job(jobId=job_id, reason="halt")
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert (job["status"], job["statusReason"]) == ("FAILED", "halt")
        assert job["container"]["exitCode"] == 143


def test_mock_exit_stops_live_processes(executor: ProcessExecutor) -> None:
    with mock_batch(auto_advance=False, executor=executor) as mock:
        batch = mock.client()
        _setup(batch)
        submit(batch, name="slow", definition="py", **_env(SLEEP="60"))
        mock.advance(3)
        (execution,) = executor.executions
        assert execution.process.poll() is None
    # stopped by the mock's exit (this executor's stop sends SIGTERM), not ended by itself
    assert execution.process.wait(timeout=30) == -signal.SIGTERM
