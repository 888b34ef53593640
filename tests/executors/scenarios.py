"""Checks every real executor must pass, driven through boto3 the way a user would.

``test_local.py`` and ``test_docker.py`` run them with a :class:`Flavour`: how a Python job is
written for that executor (the test's own interpreter, or ``python3`` in an image).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from batchmock import BatchMock
from tests.support import describe_job as describe
from tests.support import make_ce, make_queue, submit_job

WAIT_SECONDS = 60.0
"""Generous bound for waiting on a real process; only a broken executor reaches it."""
TIMED_OUT = "Job attempt duration exceeded timeout"


@dataclass
class Flavour:
    """How jobs look for one executor."""

    executor: str
    python: list[str]
    """argv prefix that runs a Python script given with ``-c``."""
    image: str = "busybox"
    container: dict[str, Any] = field(default_factory=dict)
    """Extra containerProperties every Python job needs (e.g. a volume with boto3)."""

    def definition(self, batch: Any, name: str, script: str | None = None, **props: Any) -> str:
        """Register a definition running ``script`` (or ``props["command"]``); return its name."""
        retry = props.pop("retryStrategy", None)
        timeout = props.pop("timeout", None)
        platforms = props.pop("platformCapabilities", None)
        container = self.properties(script, **props)
        extra: dict[str, Any] = {}
        if retry is not None:
            extra["retryStrategy"] = retry
        if timeout is not None:
            extra["timeout"] = timeout
        if platforms is not None:
            extra["platformCapabilities"] = platforms
        batch.register_job_definition(
            jobDefinitionName=name, type="container", containerProperties=container, **extra
        )
        return name

    def properties(self, script: str | None = None, **props: Any) -> dict[str, Any]:
        """The containerProperties of a job running ``script`` (or ``props["command"]``)."""
        container: dict[str, Any] = {
            "image": self.image,
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "256"},
            ],
        }
        if script is not None:
            container["command"] = [*self.python, "-c", script]
            for key, value in self.container.items():
                container[key] = list(value) if isinstance(value, list) else value
        for key, value in props.items():
            if key in ("environment", "volumes", "mountPoints"):
                container[key] = [*container.get(key, []), *value]
            else:
                container[key] = value
        return container


def environment(batch: Any) -> None:
    """A compute environment ``ce`` and a queue ``q``."""
    make_ce(batch)
    make_queue(batch)


def submit(batch: Any, definition: str, **kwargs: Any) -> str:
    """Submit a job of ``definition`` to ``q`` (named after it unless ``jobName`` is given)."""
    kwargs.setdefault("jobName", definition)
    return submit_job(batch, jobDefinition=definition, **kwargs)


def wait_until(check: Callable[[], Any], what: str, poll: Callable[[], Any] | None = None) -> Any:
    """Call ``poll`` then ``check`` until ``check`` is truthy; fail after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    pause = threading.Event()
    while True:
        if poll is not None:
            poll()
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        pause.wait(0.02)  # a real process is doing its part meanwhile


def wait_for_line(mock: BatchMock, batch: Any, job_id: str, line: str) -> None:
    """Poll DescribeJobs (which collects the job's output) until the job printed ``line``."""
    wait_until(
        lambda: line in mock.logs(job_id),
        f"{line!r} from job {job_id}",
        poll=lambda: batch.describe_jobs(jobs=[job_id]),
    )


def cloudwatch(group: str, stream: str) -> list[str]:
    """The messages of a CloudWatch log stream, as the test's own boto3 sees them."""
    logs = boto3.client("logs", region_name="us-east-1")
    events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    return [event["message"] for event in events["events"]]


# -- the checks --------------------------------------------------------------------------------
ENV_SCRIPT = (
    "import json, os\n"
    "print(json.dumps({k: v for k, v in os.environ.items()"
    " if k.startswith('AWS_') or k == 'MY_VAR'}))\n"
)


def check_environment(mock: BatchMock, batch: Any, flavour: Flavour) -> dict[str, str]:
    """The job sees its variables, every AWS_BATCH_* one, fake credentials and the endpoint."""
    environment(batch)
    flavour.definition(batch, "env", ENV_SCRIPT, environment=[{"name": "MY_VAR", "value": "x"}])
    job_id = submit(batch, "env")
    mock.run_until_idle()
    detail = describe(batch, job_id)
    assert detail["status"] == "SUCCEEDED", detail.get("statusReason")
    seen: dict[str, str] = json.loads(mock.logs(job_id)[0])
    assert seen["MY_VAR"] == "x"
    assert seen["AWS_BATCH_JOB_ID"] == job_id
    assert seen["AWS_BATCH_JOB_ATTEMPT"] == "1"
    assert seen["AWS_BATCH_CE_NAME"] == "ce"
    assert seen["AWS_BATCH_JQ_NAME"] == "q"
    assert seen["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert seen["AWS_ENDPOINT_URL_BATCH"] == seen["AWS_ENDPOINT_URL"]
    assert seen["AWS_ACCESS_KEY_ID"] == "123456789012"  # the job's account
    assert seen["AWS_SECRET_ACCESS_KEY"]
    assert seen["AWS_DEFAULT_REGION"] == seen["AWS_REGION"] == "us-east-1"
    return seen


def check_exit_codes(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """Exit 0 succeeds; any other code fails the job and is recorded on the attempt."""
    environment(batch)
    flavour.definition(batch, "ok", "print('fine')")
    flavour.definition(batch, "bad", "import sys; sys.exit(3)")
    ok, bad = submit(batch, "ok"), submit(batch, "bad")
    mock.run_until_idle()
    good, failed = describe(batch, ok), describe(batch, bad)
    assert good["status"] == "SUCCEEDED"
    assert good["container"]["exitCode"] == 0
    assert failed["status"] == "FAILED"
    assert failed["statusReason"] == "Essential container in task exited"
    assert failed["container"]["exitCode"] == 3
    assert [a["container"]["exitCode"] for a in failed["attempts"]] == [3]


def check_retries(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """evaluateOnExit sees the real exit code of each attempt."""
    environment(batch)
    script = "import os, sys; sys.exit({'1': 3, '2': 4}[os.environ['AWS_BATCH_JOB_ATTEMPT']])"
    flavour.definition(
        batch,
        "flaky",
        script,
        retryStrategy={
            "attempts": 3,
            "evaluateOnExit": [
                {"onExitCode": "3", "action": "RETRY"},
                {"onExitCode": "*", "action": "EXIT"},
            ],
        },
    )
    recovers = "import os, sys; sys.exit(0 if os.environ['AWS_BATCH_JOB_ATTEMPT'] == '2' else 3)"
    flavour.definition(batch, "recovers", recovers, retryStrategy={"attempts": 2})
    flaky, fixed = submit(batch, "flaky"), submit(batch, "recovers")
    mock.run_until_idle()
    detail = describe(batch, flaky)
    assert detail["status"] == "FAILED"
    assert [a["container"]["exitCode"] for a in detail["attempts"]] == [3, 4]
    detail = describe(batch, fixed)
    assert detail["status"] == "SUCCEEDED"
    assert [a["container"]["exitCode"] for a in detail["attempts"]] == [3, 0]


READY = (
    "import os\n"
    "print('ready', flush=True)\n"
    "if os.environ.get('READY_DIR'):  # check_timeouts waits for this file\n"
    "    open(os.path.join(os.environ['READY_DIR'], os.environ['READY_NAME']), 'w').close()\n"
)
SLEEPER = f"import time\n{READY}time.sleep(120)\n"
STUBBORN = (
    f"import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n{READY}time.sleep(120)\n"
)


def check_timeouts(
    mock: BatchMock,
    batch: Any,
    flavour: Flavour,
    ready_dir: Path,
    sigterm_code: int = 143,
    in_container: str | None = None,
    **sleeper: Any,
) -> None:
    """A 60 s timeout scaled by 0.01 stops the job: SIGTERM (143), or SIGKILL later (137).

    Nothing here depends on how fast the machine is: the virtual clock launches both jobs
    without looking at their deadlines (only the runtime's reaping enforces them), the test waits
    until each job says (with a file in ``ready_dir``) it is ready and, for the stubborn one,
    ignores SIGTERM, and only then lets the runtime reap. That the 0.01 scale was used is read
    from the deadlines themselves, bracketed by the monotonic times around the launch.

    ``in_container`` is where ``ready_dir`` is mounted in a container (None: the host's path).
    ``sleeper`` are container properties that make a plain Python process die of SIGTERM
    (an init process in a container, where PID 1 ignores signals without a handler).
    """
    assert mock.options.real_timeout_scale == 0.01
    assert mock.options.clock == "virtual"
    environment(batch)
    retry = {"attempts": 3}
    timeout = {"attemptDurationSeconds": 60}
    mount: dict[str, Any] = {}
    if in_container is not None:
        mount["volumes"] = [{"name": "ready", "host": {"sourcePath": str(ready_dir)}}]
        mount["mountPoints"] = [{"sourceVolume": "ready", "containerPath": in_container}]

    def ready(name: str) -> list[dict[str, str]]:
        return [
            {"name": "READY_DIR", "value": in_container or str(ready_dir)},
            {"name": "READY_NAME", "value": name},
        ]

    flavour.definition(
        batch, "sleeper", SLEEPER, retryStrategy=retry, timeout=timeout,
        environment=ready("sleeper"), **mount, **sleeper,
    )  # fmt: skip
    flavour.definition(
        batch, "stubborn", STUBBORN, retryStrategy=retry, timeout=timeout,
        environment=ready("stubborn"), **mount,
    )  # fmt: skip
    sleeper_id, stubborn_id = submit(batch, "sleeper"), submit(batch, "stubborn")
    before = time.monotonic()
    mock.runtime.clock.advance(60)  # both launched (RUNNING); no deadline is looked at yet
    after = time.monotonic()
    jobs = [mock.runtime.find_job(job_id) for job_id in (sleeper_id, stubborn_id)]
    for job in jobs:
        assert job is not None
        assert job.status == "RUNNING"
        deadline = job.run.real_deadline
        assert deadline is not None
        assert before + 0.6 <= deadline <= after + 0.6, "the 0.01 scale was not applied"
    for name in ("sleeper", "stubborn"):
        wait_until(lambda name=name: (ready_dir / name).exists(), f"{name} to be ready")
    mock.run_until_idle()
    for job_id, code in ((sleeper_id, sigterm_code), (stubborn_id, 137)):
        detail = describe(batch, job_id)
        assert detail["status"] == "FAILED"
        assert detail["statusReason"] == TIMED_OUT
        assert [a["container"]["exitCode"] for a in detail["attempts"]] == [code]  # no retry
        assert mock.logs(job_id) == ["ready"]


TERMINABLE = (
    "import signal, sys, time\n"
    "def stop(*_):\n"
    "    print('stopping', flush=True)\n"
    "    sys.exit(143)\n"
    "signal.signal(signal.SIGTERM, stop)\n"
    "print('ready', flush=True)\n"
    "time.sleep(120)\n"
)


def check_terminate(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """TerminateJob sends SIGTERM to the running job; it is not retried."""
    environment(batch)
    flavour.definition(batch, "long", TERMINABLE, retryStrategy={"attempts": 3})
    job_id = submit(batch, "long")
    wait_for_line(mock, batch, job_id, "ready")
    assert describe(batch, job_id)["status"] == "RUNNING"
    batch.terminate_job(jobId=job_id, reason="enough")
    mock.run_until_idle()
    detail = describe(batch, job_id)
    assert detail["status"] == "FAILED"
    assert detail["statusReason"] == "enough"
    assert [a["container"]["exitCode"] for a in detail["attempts"]] == [143]
    assert mock.logs(job_id) == ["ready", "stopping"]


LOGGER = (
    "import sys\n"
    "print('out one', flush=True)\n"
    "print('err one', file=sys.stderr, flush=True)\n"
    "print('out two', flush=True)\n"
)
FOLLOWED = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))\n"  # PID 1 in a container needs it
    "print('first', flush=True)\n"
    "time.sleep(120)\n"
)


def check_logs(mock: BatchMock, batch: Any, flavour: Flavour, ordered: bool = True) -> None:
    """stdout and stderr reach CloudWatch Logs (default or awslogs group) and ``batch.logs``."""
    environment(batch)
    flavour.definition(batch, "plain", LOGGER)
    flavour.definition(
        batch,
        "custom",
        LOGGER,
        logConfiguration={"logDriver": "awslogs", "options": {"awslogs-group": "/custom/group"}},
    )
    plain, custom = submit(batch, "plain"), submit(batch, "custom")
    mock.run_until_idle()
    expected = ["out one", "err one", "out two"]
    for job_id, group in ((plain, "/aws/batch/job"), (custom, "/custom/group")):
        detail = describe(batch, job_id)
        stream = detail["container"]["logStreamName"]
        assert (
            stream
            == f"{detail['jobDefinition'].split('/')[-1].split(':')[0]}/default/"
            + (detail["container"]["taskArn"].rsplit("/", 1)[-1])
        )
        for lines in (cloudwatch(group, stream), mock.logs(job_id)):
            assert lines == expected if ordered else sorted(lines) == sorted(expected)


def check_logs_while_running(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """A line is in CloudWatch while the job still runs."""
    environment(batch)
    flavour.definition(batch, "followed", FOLLOWED)
    job_id = submit(batch, "followed")
    stream = wait_until(
        lambda: describe(batch, job_id)["container"].get("logStreamName"), "the job to start"
    )
    wait_until(lambda: cloudwatch("/aws/batch/job", stream) == ["first"], "the first line")
    assert describe(batch, job_id)["status"] == "RUNNING"
    batch.terminate_job(jobId=job_id, reason="seen")
    mock.run_until_idle()
    assert describe(batch, job_id)["status"] == "FAILED"


S3_SCRIPT = (
    "import os, boto3\n"
    "job = os.environ['AWS_BATCH_JOB_ID']\n"
    "status = boto3.client('batch').describe_jobs(jobs=[job])['jobs'][0]['status']\n"
    "boto3.client('s3').put_object(Bucket='results', Key=job, Body=status.encode())\n"
    "print('stored', flush=True)\n"
)


def check_s3_through_the_mock(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """boto3 inside the job reaches the mock's Batch and moto's S3, which the test reads."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="results")
    environment(batch)
    flavour.definition(batch, "writer", S3_SCRIPT)
    job_id = submit(batch, "writer")
    mock.run_until_idle()
    detail = describe(batch, job_id)
    assert detail["status"] == "SUCCEEDED", (detail.get("statusReason"), mock.logs(job_id))
    assert s3.get_object(Bucket="results", Key=job_id)["Body"].read() == b"RUNNING"


def check_cannot_start(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """A command that cannot start fails the attempt with CannotStartContainerError; onReason
    patterns retry it like any other failure."""
    environment(batch)
    flavour.definition(
        batch,
        "broken",
        command=["/nonexistent/program", "x"],
        retryStrategy={
            "attempts": 2,
            "evaluateOnExit": [{"onReason": "CannotStartContainerError*", "action": "RETRY"}],
        },
    )
    job_id = submit(batch, "broken")
    mock.run_until_idle()
    detail = describe(batch, job_id)
    assert detail["status"] == "FAILED"
    assert len(detail["attempts"]) == 2
    for attempt in detail["attempts"]:
        assert attempt["container"]["reason"].startswith("CannotStartContainerError: ")
        assert "/nonexistent/program" in attempt["container"]["reason"]
        assert attempt["statusReason"] == "Task failed to start"
        assert "exitCode" not in attempt["container"]


def check_array(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """run_until_idle waits for every child process of an array job."""
    environment(batch)
    flavour.definition(
        batch, "children", "import os; print(os.environ['AWS_BATCH_JOB_ARRAY_INDEX'])"
    )
    job_id = submit(batch, "children", arrayProperties={"size": 3})
    mock.run_until_idle()
    assert describe(batch, job_id)["status"] == "SUCCEEDED"
    assert mock.logs(job_id) == ["0", "1", "2"]
