"""Real executors (issue 4): per-attempt overhead of the local and Docker executors.

Run: ``python benchmarks/bench_executors.py``. Each figure is a ratio against a baseline measured
in the same run, interleaved with ours so both see the same machine load:

- local: ``LocalExecutor.launch`` + waiting for the outcome (output read, CloudWatch stream
  created) vs ``subprocess.run`` of the same command with its output captured, for a command
  that exits at once (target <= 1.5x);
- Docker: ``DockerExecutor.launch`` + waiting for the outcome vs the engine's own
  ``containers.run(detach=True)`` + ``wait`` of the same container (target <= 1.2x); removing the
  containers is left out of both. Skipped with a message when no engine answers.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from _common import report

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

from batchmock import mock_batch  # noqa: E402
from batchmock.executors.base import AttemptContext  # noqa: E402
from batchmock.executors.live import LiveExecution, job_environment  # noqa: E402

BUSYBOX = "localhost/busybox:latest"


def attempt(command: list[str], image: str = "busybox", n: int = 0) -> AttemptContext:
    """The context of one attempt, as the engine would build it."""
    return AttemptContext(
        job_id=f"bench-{n}",
        job_arn=f"arn:aws:batch:us-east-1:123456789012:job/bench-{n}",
        job_name="bench",
        job_definition="bench",
        job_definition_arn="arn:aws:batch:us-east-1:123456789012:job-definition/bench:1",
        job_queue="q",
        compute_environment="ce",
        image=image,
        command=command,
        env={"AWS_BATCH_JOB_ID": f"bench-{n}", "AWS_BATCH_JOB_ATTEMPT": "1"},
        parameters={},
        attempt=1,
        array_index=None,
        array_size=None,
        node_index=None,
        num_nodes=None,
        is_main_node=False,
        vcpus=1.0,
        memory=128,
        gpus=0,
        timeout_seconds=None,
        log_group="/aws/batch/job",
        log_stream_name=f"bench/default/{n}",
        task_arn=f"arn:aws:ecs:us-east-1:123456789012:task/c/{n}",
    )


def interleaved(
    ours: Callable[[int], Any], base: Callable[[int], Any], rounds: int
) -> tuple[float, float]:
    """Median seconds of ``ours(i)`` and ``base(i)``, run alternately ``rounds`` times each."""
    mine, theirs = [], []
    for i in range(rounds):
        start = time.perf_counter()
        ours(i)
        mine.append(time.perf_counter() - start)
        start = time.perf_counter()
        base(i)
        theirs.append(time.perf_counter() - start)
    return statistics.median(mine), statistics.median(theirs)


def bench_local(rounds: int = 300) -> None:
    """The local executor vs subprocess.run, for a command that exits at once."""
    true = shutil.which("true") or "/bin/true"
    with mock_batch(executor="local") as mock:
        executor: Any = mock.runtime.executor
        services: Any = mock.runtime.services
        env = job_environment(attempt([true]), services.server_url(), os.environ)
        executions: list[LiveExecution] = []

        def ours(i: int) -> None:
            execution = executor.launch(attempt([true], n=i))
            execution.wait()
            executions.append(execution)

        def base(i: int) -> None:
            subprocess.run([true], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)

        interleaved(ours, base, 20)  # warm up: server, moto, log groups
        mine, theirs = interleaved(ours, base, rounds)
        for execution in executions:
            execution.join()
    report("local executor: launch + outcome vs subprocess.run", mine, theirs, 1.5)


def bench_docker(rounds: int = 12) -> None:
    """The Docker executor vs the engine's own containers.run + wait."""
    try:
        import docker
    except ImportError:
        print("docker executor: skipped (pip install 'batchmock[docker]')")
        return
    try:
        client = docker.from_env(timeout=10)
        client.ping()
        client.images.get(BUSYBOX)
    except Exception as exc:
        print(
            f"docker executor: skipped, no engine with {BUSYBOX} at "
            f"{os.environ.get('DOCKER_HOST') or 'the default socket'} ({type(exc).__name__}); "
            "start one with shared/tools/container-engine.sh and set DOCKER_HOST"
        )
        return
    with mock_batch(executor="docker") as mock:
        executor: Any = mock.runtime.executor
        services: Any = mock.runtime.services
        env = job_environment(attempt(["true"]), services.server_url())
        leftovers: list[Any] = []
        executions: list[LiveExecution] = []

        def ours(i: int) -> None:
            execution = executor.launch(attempt(["true"], BUSYBOX, n=i))
            execution.wait()
            executions.append(execution)

        def base(i: int) -> None:
            container = client.containers.run(
                BUSYBOX,
                ["true"],
                detach=True,
                environment=env,
                network_mode="host",
                nano_cpus=1_000_000_000,
                mem_limit="128m",
            )
            container.wait()
            leftovers.append(container)

        def settle() -> None:  # removals stay out of both figures
            for execution in executions:
                execution.join()
            for container in leftovers:
                container.remove(force=True)
            executions.clear()
            leftovers.clear()

        interleaved(ours, base, 2)
        settle()
        mine, theirs = [], []
        for i in range(rounds):
            for run, times in ((ours, mine), (base, theirs)):
                start = time.perf_counter()
                run(100 + i)
                times.append(time.perf_counter() - start)
            settle()
    client.close()
    report(
        "docker executor: launch + outcome vs containers.run + wait",
        statistics.median(mine),
        statistics.median(theirs),
        1.2,
    )


if __name__ == "__main__":
    print(f"python {sys.version.split()[0]}")
    bench_local()
    bench_docker()
