"""A fresh filesystem per attempt for the local executor: each attempt's own directories.

An attempt's directory ``batchmock-<job id>-<attempt>-<random>`` (in the system's temporary
directory) holds ``work`` (the working directory, empty at start), ``home`` (``HOME``) and
``tmp`` (``TMPDIR``). Making and removing directories can take milliseconds on a busy disk, so
:class:`Workdirs` does both in a thread of its own: one set is made ahead of need, and starting an
attempt only renames it (the name then says which job and attempt it is for); removal never
delays an attempt's outcome, and :meth:`Workdirs.close` returns once every directory is gone.
"""

from __future__ import annotations

import itertools
import os
import queue
import re
import secrets
import shutil
import tempfile
import threading
from typing import Union

from batchmock.executors.base import AttemptContext

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class Workdir:
    """One attempt's directories under ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.work = os.path.join(path, "work")
        self.home = os.path.join(path, "home")
        self.tmp = os.path.join(path, "tmp")

    @classmethod
    def make(cls, prefix: str) -> Workdir:
        """A new directory ``<prefix><random>`` with its three subdirectories."""
        made = cls(tempfile.mkdtemp(prefix=prefix))
        for path in (made.work, made.home, made.tmp):
            os.mkdir(path)
        return made

    def environment(self) -> dict[str, str]:
        """``HOME`` and the temporary directory variables."""
        return {"HOME": self.home, "TMPDIR": self.tmp, "TMP": self.tmp, "TEMP": self.tmp}

    def remove(self) -> None:
        """Delete everything the attempt wrote."""
        shutil.rmtree(self.path, ignore_errors=True)


def prefix_of(ctx: AttemptContext) -> str:
    """``batchmock-<job id>-<attempt>-`` with characters unsafe in a file name replaced."""
    return "batchmock-" + _UNSAFE.sub("-", f"{ctx.job_id}-{ctx.attempt}") + "-"


_MAKE = "make"
_STOP = "stop"
_Task = Union[Workdir, str]


class Workdirs:
    """Makes and removes attempts' directories; see the module docstring."""

    def __init__(self) -> None:
        # the next attempt's directory is made before any removal; stopping comes last
        self._tasks: queue.PriorityQueue[tuple[int, int, _Task]] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._spare: Workdir | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def take(self, ctx: AttemptContext) -> Workdir:
        """A fresh, empty set of directories for ``ctx``'s attempt."""
        with self._lock:
            spare, self._spare = self._spare, None
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="batchmock-workdirs", daemon=True
                )
                self._thread.start()
        self._put(_MAKE)  # the next attempt's, made while this one starts
        prefix = prefix_of(ctx)
        if spare is not None:
            target = os.path.join(os.path.dirname(spare.path), prefix + secrets.token_hex(8))
            try:
                os.rename(spare.path, target)
                return Workdir(target)
            except OSError:  # the temporary directory changed, or a name clash: make one now
                self._put(spare)
        return Workdir.make(prefix)

    def remove(self, workdir: Workdir) -> None:
        """Remove ``workdir`` soon (callable from any thread; never blocks)."""
        self._put(workdir)

    def _put(self, task: _Task) -> None:
        rank = 0 if task == _MAKE else 2 if task == _STOP else 1
        self._tasks.put((rank, next(self._seq), task))

    def _run(self) -> None:
        while True:
            task = self._tasks.get()[2]
            if isinstance(task, Workdir):
                task.remove()
            elif task == _MAKE:
                with self._lock:
                    needed = self._spare is None
                if needed:
                    made = Workdir.make("batchmock-spare-")
                    with self._lock:
                        needed = self._spare is None
                        if needed:
                            self._spare = made
                    if not needed:
                        made.remove()
            else:  # _STOP
                with self._lock:
                    spare, self._spare = self._spare, None
                if spare is not None:
                    spare.remove()
                return

    def close(self) -> None:
        """Remove every directory handed over and the spare one, then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._put(_STOP)
            thread.join()
