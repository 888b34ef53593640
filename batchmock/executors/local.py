"""The local executor: each attempt runs the job's command as a process on this machine.

``mock_batch(executor="local")``. The command is the job's effective command (overrides applied,
``Ref::`` substituted), run as given: argv, no shell added. The process inherits this process's
environment without its ``AWS_*`` variables, plus the job's variables, every ``AWS_BATCH_*``
variable, fake credentials and ``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_BATCH`` pointing at a
loopback server that serves the same mock (see :func:`batchmock.executors.live.job_environment`),
so boto3 inside the job talks to the state the test sees. It runs in the test's working
directory, in a session of its own: stopping it signals every process it started, and when it
exits whatever it left running is killed, as when a container's main process ends.

What a container would add is not emulated: the image, ``user``, ``ulimits``, volumes and the
CPU and memory limits are ignored (use the Docker executor for those).
"""

from __future__ import annotations

import os
import signal
import subprocess
from typing import IO

from batchmock.executors.base import AttemptContext, LogWriter, StartFailure
from batchmock.executors.live import LiveExecution, LiveExecutor, exit_status, job_environment

START_ERROR = "CannotStartContainerError"


class LocalExecution(LiveExecution):
    """A running process: one thread reads its output, one waits for its exit."""

    def __init__(self, ctx: AttemptContext, log: LogWriter | None, proc: subprocess.Popen[bytes]):
        super().__init__(ctx, log)
        self._proc = proc
        self.pid = proc.pid
        self._reader = self.spawn(self._read, f"read-{proc.pid}")
        self.spawn(self._wait, f"wait-{proc.pid}")

    def _read(self) -> None:
        stream: IO[bytes] | None = self._proc.stdout
        if stream is None:
            return
        with stream:
            for raw in stream:  # blocking, one line at a time, while the job runs
                self.add_line(raw.decode("utf-8", "replace").rstrip("\r\n"))

    def _wait(self) -> None:
        code = self._proc.wait()
        # The main process is gone: like a container's, everything it started goes with it, so a
        # background child still holding the output pipe cannot keep the attempt running.
        self._kill_group(signal.SIGKILL)
        self._reader.join()
        self.finish(exit_status(code))

    def signal(self, signum: int) -> None:
        """Signal the whole process group (no-op once the process has been reaped)."""
        if self._proc.returncode is None:
            self._kill_group(signum)

    def _kill_group(self, signum: int) -> None:
        try:
            os.killpg(self.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass  # already gone


class LocalExecutor(LiveExecutor):
    """Runs attempts as host processes; see the module docstring."""

    def launch(self, ctx: AttemptContext) -> LocalExecution:
        """Start the process; StartFailure (CannotStartContainerError) if it cannot start."""
        if not ctx.command:
            raise StartFailure(
                f"{START_ERROR}: the job has no command, and the local executor has no image "
                "to take a default command from"
            )
        env = job_environment(ctx, self.endpoint_url(), os.environ)
        # no profile, config file or credentials file of the developer's reaches the job
        env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        try:
            proc = subprocess.Popen(
                ctx.command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,  # one stream keeps the order the job wrote in
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise StartFailure(_start_error(ctx.command[0], exc)) from exc
        try:
            log = self.open_log(ctx)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        execution = LocalExecution(ctx, log, proc)
        self.keep(execution)
        return execution


def _start_error(program: str, exc: OSError) -> str:
    """The container reason of a command that cannot start, worded as Docker words it."""
    if isinstance(exc, FileNotFoundError):
        if os.sep in program:
            detail = "no such file or directory"
        else:
            detail = "executable file not found in $PATH"
    elif isinstance(exc, PermissionError):
        detail = "permission denied"
    else:
        detail = exc.strerror or str(exc)
    return f'{START_ERROR}: exec: "{program}": {detail}'
