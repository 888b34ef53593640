"""The local executor: each attempt runs the job's command as a process on this machine.

``mock_batch(executor="local")``. The command is the job's effective command (overrides applied,
``Ref::`` substituted), run as given: argv, no shell added. The process inherits this process's
environment without its ``AWS_*`` variables, plus the job's variables, every ``AWS_BATCH_*``
variable, fake credentials and ``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_BATCH`` pointing at a
loopback server that serves the same mock (see :func:`batchmock.executors.live.job_environment`),
so boto3 inside the job talks to the state the test sees, and the ECS variables and endpoints of
``executors/ecs.py``. It runs in a session of its own: stopping it signals every process it
started, and when it exits whatever it left running is killed, as when a container's main
process ends.

Each attempt starts on a fresh filesystem of its own, as a container does: a new directory
``batchmock-<job id>-<attempt>-*`` in the system's temporary directory holds ``work`` (the
process's working directory, empty at start), ``home`` (``HOME``) and ``tmp`` (``TMPDIR``,
``TMP``, ``TEMP``). It is removed once the attempt has ended, by a thread of the executor
(``executors/workdirs.py``: no attempt's outcome waits for a disk), and at the latest when the
mock ends; ``MockOptions.keep_workdirs`` keeps them (to look at what a job left behind).

What a container would add is not emulated: the image (the command runs with this machine's
programs and Python), ``user`` (it runs as the test's user), volumes and mount points (the whole
host filesystem is visible; nothing is mounted), ``ulimits``, ``readonlyRootFilesystem`` and the
CPU, memory and GPU limits (nothing is enforced). Use the Docker executor for those.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from typing import IO

from batchmock.executors import watcher
from batchmock.executors.base import AttemptContext, LogWriter, Services, StartFailure
from batchmock.executors.live import (
    LiveExecution,
    LiveExecutor,
    exit_status,
    job_environment,
    run_cleanups,
)
from batchmock.executors.workdirs import Workdirs

START_ERROR = "CannotStartContainerError"
CHUNK = 65536


class LocalExecution(LiveExecution):
    """A running process, followed by the executor's watcher thread, or by two threads of its
    own (one reads, one waits) where the watcher is not available."""

    def __init__(
        self,
        ctx: AttemptContext,
        log: LogWriter | None,
        proc: subprocess.Popen[bytes],
        follower: watcher.ProcessWatcher | None,
        cleanups: Sequence[Callable[[], None]] = (),
    ) -> None:
        super().__init__(ctx, log, cleanups)
        self._proc = proc
        self.pid = proc.pid
        self._pending = b""
        stream = proc.stdout
        assert stream is not None
        self._stream = stream
        if follower is None:
            self._reader = self.spawn(self._read, f"read-{proc.pid}")
            self.spawn(self._wait, f"wait-{proc.pid}")
            return
        self._watcher = follower
        self._out = stream.fileno()
        self._out_open = True
        self._pidfd = os.pidfd_open(proc.pid)
        os.set_blocking(self._out, False)
        follower.watch(self._out, self._on_output, stream.close)
        follower.watch(self._pidfd, self._on_exit, lambda: os.close(self._pidfd))

    # -- followed by the watcher (handlers run in its thread and never block) -------------------
    def _on_output(self) -> None:
        if not self._drain():
            self._close_output()  # end of output; the exit may come later

    def _on_exit(self) -> None:
        self._watcher.forget(self._pidfd)
        self._ended()
        while self._drain():  # everything the process wrote is in the pipe by now
            pass
        self._close_output()
        self._flush()
        self.finish(exit_status(self._proc.wait()))

    def _close_output(self) -> None:
        if self._out_open:
            self._out_open = False  # its number may soon be another file's: never read it again
            self._watcher.forget(self._out)

    def _drain(self) -> bool:
        """Read what the pipe holds now; False at the end of the output (or nothing more now)."""
        if not self._out_open:
            return False
        try:
            chunk = os.read(self._out, CHUNK)
        except BlockingIOError:
            return False
        except OSError:  # closed already
            return False
        if not chunk:
            return False
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        for line in lines:
            self.add_line(_text(line))
        return True

    def _flush(self) -> None:
        if self._pending:
            self.add_line(_text(self._pending))
            self._pending = b""

    # -- followed by two threads of its own ----------------------------------------------------
    def _read(self) -> None:
        stream: IO[bytes] = self._stream
        with stream:
            for raw in stream:  # blocking, one line at a time, while the job runs
                self.add_line(_text(raw.rstrip(b"\n")))

    def _wait(self) -> None:
        code = self._proc.wait()
        self._ended()
        self._reader.join()
        self.finish(exit_status(code))

    # -- both ----------------------------------------------------------------------------------
    def _ended(self) -> None:
        # The main process is gone: like a container's, everything it started goes with it, so a
        # background child still holding the output pipe cannot keep the attempt running.
        self._kill_group(signal.SIGKILL)

    def signal(self, signum: int) -> None:
        """Signal the whole process group (no-op once the process has been reaped)."""
        if self._proc.returncode is None:
            self._kill_group(signum)

    def _kill_group(self, signum: int) -> None:
        try:
            os.killpg(self.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass  # already gone


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r")


class LocalExecutor(LiveExecutor):
    """Runs attempts as host processes; see the module docstring."""

    def __init__(
        self,
        services: Services | None,
        use_watcher: bool | None = None,
        keep_workdirs: bool = False,
    ) -> None:
        super().__init__(services)
        self.keep_workdirs = keep_workdirs
        self._workdirs = Workdirs()
        self._use_watcher = watcher.available() if use_watcher is None else use_watcher
        self._watcher: watcher.ProcessWatcher | None = None
        self._watcher_lock = threading.Lock()

    def launch(self, ctx: AttemptContext) -> LocalExecution:
        """Start the process; StartFailure (CannotStartContainerError) if it cannot start."""
        if not ctx.command:
            raise StartFailure(
                f"{START_ERROR}: the job has no command, and the local executor has no image "
                "to take a default command from"
            )
        endpoint = self.endpoint_url()
        task, cleanups = self.open_task(ctx)
        try:
            workdir = self._workdirs.take(ctx)
        except BaseException:
            run_cleanups(cleanups)
            raise
        if not self.keep_workdirs:
            cleanups.insert(0, lambda: self._workdirs.remove(workdir))  # the last cleanup
        env = job_environment(ctx, endpoint, os.environ, task)
        env.update(workdir.environment())
        # no profile, config file or credentials file of the developer's reaches the job
        env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        try:
            proc = subprocess.Popen(
                ctx.command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,  # one stream keeps the order the job wrote in
                env=env,
                cwd=workdir.work,
                start_new_session=True,
            )
        except OSError as exc:
            run_cleanups(cleanups)
            raise StartFailure(_start_error(ctx.command[0], exc)) from exc
        except BaseException:
            run_cleanups(cleanups)
            raise
        try:
            log = self.open_log(ctx)
            execution = LocalExecution(ctx, log, proc, self._follower(), cleanups)
        except BaseException:
            proc.kill()
            proc.wait()
            run_cleanups(cleanups)
            raise
        self.keep(execution)
        return execution

    def _follower(self) -> watcher.ProcessWatcher | None:
        if not self._use_watcher:
            return None
        with self._watcher_lock:
            if self._watcher is None:
                self._watcher = watcher.ProcessWatcher()
            return self._watcher

    def shutdown(self) -> None:
        """Kill every process, wait until each one is reaped, then stop the watcher; every
        attempt's directory is gone when this returns (unless ``keep_workdirs``)."""
        super().shutdown()
        with self._watcher_lock:
            follower, self._watcher = self._watcher, None
        if follower is not None:
            follower.close()
        self._workdirs.close()


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
