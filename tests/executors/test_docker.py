"""The Docker executor: jobs run as containers on a Docker-compatible engine (``DOCKER_HOST``).

Tests marked ``requires_docker`` need an engine with the local images ``localhost/busybox:latest``
and ``localhost/python:3.11``; without one they skip (start an engine with
shared/tools/container-engine.sh and set DOCKER_HOST). The rest run anywhere.

With ``BATCHMOCK_REQUIRE_DOCKER=1`` (``.ci/run`` exports it once it has started the engine) a
missing SDK, an engine that does not answer or a missing image fails these tests instead: in CI a
skip would hide a broken engine setup or a broken executor.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from batchmock import BatchMock, mock_batch
from batchmock.executors.base import AttemptContext, StartFailure
from tests.executors import scenarios
from tests.executors.scenarios import Flavour, describe, submit

REQUIRED = os.environ.get("BATCHMOCK_REQUIRE_DOCKER") == "1"


def skip_unless_required(reason: str) -> None:
    """Skip, or fail when the environment says there is an engine (BATCHMOCK_REQUIRE_DOCKER=1)."""
    if REQUIRED:
        pytest.fail(f"BATCHMOCK_REQUIRE_DOCKER=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    import docker
except ImportError:
    skip_unless_required("the Docker SDK (the 'docker' extra) is not installed")

from batchmock.executors.docker import LABEL, DockerExecutor, container_config  # noqa: E402

BUSYBOX = "localhost/busybox:latest"
PYTHON = "localhost/python:3.11"
HOW_TO = "start an engine with shared/tools/container-engine.sh and set DOCKER_HOST"
SITE_PACKAGES = str(Path(boto3.__file__).resolve().parent.parent)
"""boto3 for Python jobs: the image has Python's standard library only."""

DOCKER = Flavour(
    executor="docker",
    python=["python3"],
    image=PYTHON,
    container={
        "environment": [{"name": "PYTHONPATH", "value": "/site"}],
        "volumes": [{"name": "site", "host": {"sourcePath": SITE_PACKAGES}}],
        "mountPoints": [{"sourceVolume": "site", "containerPath": "/site", "readOnly": True}],
    },
)


@pytest.fixture(scope="module")
def engine() -> Any:
    """A Docker SDK client of a running engine that has the test images; else skip (or fail)."""
    where = os.environ.get("DOCKER_HOST") or "the default socket"
    try:
        client = docker.from_env(timeout=10)
        client.ping()
    except Exception as exc:
        skip_unless_required(
            f"no Docker engine answers at {where} ({type(exc).__name__}: {exc}): {HOW_TO}"
        )
    for image in (BUSYBOX, PYTHON):
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            client.close()
            skip_unless_required(f"the engine at {where} has no image {image}: {HOW_TO}")
    yield client
    client.close()


@pytest.fixture
def containers(engine: Any) -> Iterator[BatchMock]:
    """An active mock running jobs as containers."""
    with mock_batch(executor="docker") as mock:
        yield mock


@pytest.fixture
def batch(containers: BatchMock) -> Any:
    """A Batch client of the Docker mock."""
    return containers.client()


def _ours(engine: Any, executor: Any) -> list[Any]:
    found: list[Any] = engine.containers.list(
        all=True, filters={"label": f"{LABEL}={executor.label}"}
    )
    return found


# -- with an engine ------------------------------------------------------------------------------
@pytest.mark.requires_docker
def test_environment_as_the_container_sees_it(batch: Any, containers: BatchMock) -> None:
    seen = scenarios.check_environment(containers, batch, DOCKER)
    assert "AWS_CONFIG_FILE" not in seen  # nothing of the host's environment is inherited


@pytest.mark.requires_docker
def test_exit_codes(batch: Any, containers: BatchMock) -> None:
    scenarios.check_exit_codes(containers, batch, DOCKER)


@pytest.mark.requires_docker
def test_retries_evaluate_the_real_exit_code(batch: Any, containers: BatchMock) -> None:
    scenarios.check_retries(containers, batch, DOCKER)


@pytest.mark.requires_docker
def test_scaled_timeouts_stop_the_container(engine: Any, tmp_path: Path) -> None:
    with mock_batch(executor="docker", real_timeout_scale=0.01) as mock:
        # PID 1 ignores SIGTERM unless it handles it: an init process passes it on (143)
        init = {"linuxParameters": {"initProcessEnabled": True}}
        scenarios.check_timeouts(
            mock, mock.client(), DOCKER, tmp_path, in_container="/ready", **init
        )


@pytest.mark.requires_docker
def test_terminate_sends_sigterm(batch: Any, containers: BatchMock) -> None:
    scenarios.check_terminate(containers, batch, DOCKER)


@pytest.mark.requires_docker
def test_logs_reach_cloudwatch_and_batch_logs(batch: Any, containers: BatchMock) -> None:
    # stdout and stderr are two streams in a container engine: their interleaving is its own
    scenarios.check_logs(containers, batch, DOCKER, ordered=False)


@pytest.mark.requires_docker
def test_logs_reach_cloudwatch_while_the_job_runs(batch: Any, containers: BatchMock) -> None:
    scenarios.check_logs_while_running(containers, batch, DOCKER)


@pytest.mark.requires_docker
def test_job_writes_to_s3_through_the_mock(batch: Any, containers: BatchMock) -> None:
    scenarios.check_s3_through_the_mock(containers, batch, DOCKER)


@pytest.mark.requires_docker
def test_command_that_cannot_start(batch: Any, containers: BatchMock) -> None:
    scenarios.check_cannot_start(containers, batch, DOCKER)


@pytest.mark.requires_docker
def test_array_children_run_as_containers(batch: Any, containers: BatchMock) -> None:
    scenarios.check_array(containers, batch, DOCKER)


@pytest.mark.requires_docker
def test_missing_image_cannot_be_pulled(batch: Any, containers: BatchMock) -> None:
    scenarios.environment(batch)
    retry = {
        "attempts": 2,
        "evaluateOnExit": [{"onReason": "CannotPullContainerError*", "action": "RETRY"}],
    }
    Flavour("docker", ["python3"], image="localhost/no-such-image:1").definition(
        batch, "ghost", command=["true"], retryStrategy=retry
    )
    job_id = submit(batch, "ghost")
    containers.run_until_idle()
    detail = describe(batch, job_id)
    assert detail["status"] == "FAILED"
    assert len(detail["attempts"]) == 2
    for attempt in detail["attempts"]:
        reason = attempt["container"]["reason"]
        assert reason.startswith("CannotPullContainerError: ")
        assert "localhost/no-such-image:1" in reason
        assert attempt["statusReason"] == "Task failed to start"


SETTINGS = (
    "id -u; ulimit -n; ulimit -Hn;"
    " (touch /probe 2>/dev/null && echo root-writable) || echo root-readonly;"
    " cat /data/hello.txt;"
    " (touch /data/new 2>/dev/null && echo data-writable) || echo data-readonly;"
    " cat /sys/fs/cgroup/memory.max 2>/dev/null"
    " || cat /sys/fs/cgroup/memory/memory.limit_in_bytes;"
    " cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us;"
    " df -P /scratch | tail -1 | awk '{print $2}'"
)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory any user in a container can read (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="batchmock-volume-"))
    path.chmod(0o755)
    (path / "hello.txt").write_text("hello from the host\n")
    (path / "hello.txt").chmod(0o644)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.requires_docker
def test_container_settings_apply(batch: Any, containers: BatchMock, shared_dir: Path) -> None:
    scenarios.environment(batch)
    batch.register_job_definition(
        jobDefinitionName="settings",
        type="container",
        containerProperties={
            "image": BUSYBOX,
            "command": ["sh", "-c", SETTINGS],
            "user": "1000",
            "readonlyRootFilesystem": True,
            "ulimits": [{"name": "nofile", "softLimit": 512, "hardLimit": 1024}],
            "resourceRequirements": [
                {"type": "VCPU", "value": "2"},
                {"type": "MEMORY", "value": "64"},
            ],
            "volumes": [{"name": "data", "host": {"sourcePath": str(shared_dir)}}],
            "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": True}],
            "linuxParameters": {"tmpfs": [{"containerPath": "/scratch", "size": 8}]},
        },
    )
    job_id = submit(batch, "settings")
    containers.run_until_idle()
    detail = describe(batch, job_id)
    assert detail["status"] == "SUCCEEDED", containers.logs(job_id)
    lines = containers.logs(job_id)
    assert lines[:6] == [
        "1000",
        "512",
        "1024",
        "root-readonly",
        "hello from the host",
        "data-readonly",
    ]
    assert lines[6] == str(64 * 1024 * 1024)
    assert lines[7].split()[0] == "200000"  # 2 vCPUs: 200 ms of CPU per 100 ms period
    assert lines[8] == str(8 * 1024)  # KiB


@pytest.mark.requires_docker
def test_no_command_runs_the_images_own(batch: Any, containers: BatchMock) -> None:
    scenarios.environment(batch)
    batch.register_job_definition(
        jobDefinitionName="default-cmd",
        type="container",
        containerProperties={"image": PYTHON, "vcpus": 1, "memory": 128},
    )
    job_id = submit(batch, "default-cmd")
    containers.run_until_idle()
    # the image's default command is an interactive Python; without a terminal it exits at once
    assert describe(batch, job_id)["container"]["exitCode"] == 0


def _run_then_fail(engine: Any, seen: dict[str, Any]) -> None:
    with mock_batch(executor="docker") as mock:
        batch = mock.client()
        scenarios.environment(batch)
        DOCKER.definition(batch, "long", scenarios.SLEEPER)
        job_id = submit(batch, "long")
        scenarios.wait_for_line(mock, batch, job_id, "ready")
        seen["executor"] = mock.runtime.executor
        seen["running"] = [c.status for c in _ours(engine, mock.runtime.executor)]
        raise RuntimeError("the test failed")


@pytest.mark.requires_docker
def test_nothing_outlives_the_mock_even_when_the_test_fails(engine: Any) -> None:
    seen: dict[str, Any] = {}
    with pytest.raises(RuntimeError, match="the test failed"):
        _run_then_fail(engine, seen)
    assert seen["running"] == ["running"]
    assert _ours(engine, seen["executor"]) == []


@pytest.mark.requires_docker
def test_finished_containers_are_removed(engine: Any) -> None:
    with mock_batch(executor="docker") as mock:
        batch = mock.client()
        scenarios.environment(batch)
        DOCKER.definition(batch, "quick", "print('done')")
        job_id = submit(batch, "quick")
        mock.run_until_idle()
        assert describe(batch, job_id)["status"] == "SUCCEEDED"
        executor = mock.runtime.executor
        assert isinstance(executor, DockerExecutor)
        executor.shutdown()  # waits for the removal the outcome does not wait for
        assert _ours(engine, executor) == []


# -- without an engine ---------------------------------------------------------------------------
def test_unreachable_engine_fails_the_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with mock_batch(executor="docker") as mock:
        batch = mock.client()
        scenarios.environment(batch)
        DOCKER.definition(batch, "nowhere", "print('never')")
        job_id = submit(batch, "nowhere")
        mock.run_until_idle()
        detail = describe(batch, job_id)
    assert detail["status"] == "FAILED"
    reason = detail["container"]["reason"]
    assert reason.startswith("CannotStartContainerError: no Docker engine answers at unix://")


def _ctx(container: dict[str, Any], **changes: Any) -> AttemptContext:
    values: dict[str, Any] = {
        "job_id": "id",
        "job_arn": "arn:aws:batch:us-east-1:123456789012:job/id",
        "job_name": "name",
        "job_definition": "jd",
        "job_definition_arn": "arn:aws:batch:us-east-1:123456789012:job-definition/jd:1",
        "job_queue": "q",
        "compute_environment": "ce",
        "image": BUSYBOX,
        "command": ["true"],
        "env": {},
        "parameters": {},
        "attempt": 2,
        "array_index": None,
        "array_size": None,
        "node_index": None,
        "num_nodes": None,
        "is_main_node": False,
        "vcpus": 1.5,
        "memory": 300,
        "gpus": 0,
        "timeout_seconds": None,
        "log_group": "/aws/batch/job",
        "log_stream_name": "jd/default/x",
        "task_arn": "arn:aws:ecs:us-east-1:123456789012:task/c/x",
        "container": container,
    }
    values.update(changes)
    return AttemptContext(**values)


def test_container_config_maps_the_job_definition() -> None:
    props = {
        "user": "nobody",
        "privileged": True,
        "readonlyRootFilesystem": True,
        "ulimits": [{"name": "nofile", "softLimit": 10, "hardLimit": 20}],
        "volumes": [{"name": "host", "host": {"sourcePath": "/srv/in"}}, {"name": "scratch"}],
        "mountPoints": [
            {"sourceVolume": "host", "containerPath": "/in", "readOnly": True},
            {"sourceVolume": "scratch", "containerPath": "/tmp/work"},
        ],
        "linuxParameters": {
            "initProcessEnabled": True,
            "sharedMemorySize": 64,
            "tmpfs": [{"containerPath": "/fast", "size": 16, "mountOptions": ["noexec"]}],
        },
    }
    config = container_config(_ctx(props), {"A": "b"}, {LABEL: "x"})
    assert config["command"] == ["true"]
    assert config["environment"] == {"A": "b"}
    assert config["network_mode"] == "host"
    assert config["labels"] == {LABEL: "x", "batchmock.job-id": "id", "batchmock.attempt": "2"}
    assert config["user"] == "nobody"
    assert config["privileged"] is True
    assert config["read_only"] is True
    assert config["nano_cpus"] == 1_500_000_000
    assert config["mem_limit"] == "300m"
    assert [dict(u) for u in config["ulimits"]] == [{"Name": "nofile", "Soft": 10, "Hard": 20}]
    bind, anonymous = config["mounts"]
    assert (bind["Type"], bind["Source"], bind["Target"], bind["ReadOnly"]) == (
        "bind",
        "/srv/in",
        "/in",
        True,
    )
    assert (anonymous["Type"], anonymous["Source"], anonymous["Target"]) == (
        "volume",
        None,
        "/tmp/work",
    )
    assert config["init"] is True
    assert config["shm_size"] == "64m"
    assert config["tmpfs"] == {"/fast": "size=16m,noexec"}


def test_container_config_without_command_uses_the_image_default() -> None:
    config = container_config(_ctx({}, command=[], vcpus=0.0, memory=0), {}, {})
    assert config["command"] is None
    assert "nano_cpus" not in config
    assert "mem_limit" not in config


@pytest.mark.parametrize(
    ("volumes", "message"),
    [
        ([], "mountPoints names volume 'v', which the job does not define"),
        (
            [{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}],
            "volume 'v' is an EFS volume",
        ),
    ],
)
def test_volumes_the_executor_cannot_mount(volumes: list[Any], message: str) -> None:
    props = {"volumes": volumes, "mountPoints": [{"sourceVolume": "v", "containerPath": "/v"}]}
    with pytest.raises(StartFailure, match=message) as caught:
        container_config(_ctx(props), {}, {})
    assert caught.value.reason.startswith("CannotStartContainerError: ")
