"""The local executor gives each attempt what a Batch container has (``executor="local"``)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from batchmock import BatchMock, mock_batch
from tests.executors import container_scenarios as checks
from tests.executors.scenarios import Flavour, describe, environment, submit, wait_until

LOCAL = Flavour(executor="local", python=[sys.executable])


@pytest.fixture
def local() -> Iterator[BatchMock]:
    """An active mock running jobs as local processes."""
    with mock_batch(executor="local") as mock:
        yield mock


@pytest.fixture
def batch(local: BatchMock) -> Any:
    """A Batch client of the local mock."""
    return local.client()


def test_ecs_environment(batch: Any, local: BatchMock) -> None:
    checks.check_ecs_environment(local, batch, LOCAL)


def test_metadata_endpoint_and_role_credentials(batch: Any, local: BatchMock) -> None:
    checks.check_metadata_and_role_credentials(local, batch, LOCAL)


def test_metaflow_step_runs_and_retries(batch: Any, local: BatchMock) -> None:
    checks.check_metaflow_step(local, batch, LOCAL)


def test_multinode_nodes_run_as_processes(batch: Any, local: BatchMock) -> None:
    checks.check_multinode(local, batch, LOCAL)


WHERE = (
    "import json, os, tempfile\n"
    "print(json.dumps({'cwd': os.getcwd(), 'files': os.listdir('.'), 'home': os.environ['HOME'],"
    " 'tmp': tempfile.gettempdir()}), flush=True)\n"
    "open('left-behind', 'w').write('x')\n"
)


def _where(mock: BatchMock, batch: Any) -> list[dict[str, Any]]:
    environment(batch)
    LOCAL.definition(batch, "where", WHERE)
    jobs = [submit(batch, "where") for _ in range(2)]
    mock.run_until_idle()
    seen = []
    for job_id in jobs:
        assert describe(batch, job_id)["status"] == "SUCCEEDED", mock.logs(job_id)
        seen.append(json.loads(mock.logs(job_id)[0]))
    return seen


def test_each_attempt_has_a_fresh_directory_removed_after_it(batch: Any, local: BatchMock) -> None:
    first, second = _where(local, batch)
    for seen in (first, second):
        assert seen["files"] == []  # empty at start: nothing another attempt wrote
        root = os.path.dirname(seen["cwd"])
        assert os.path.basename(root).startswith("batchmock-")
        assert seen["home"] == os.path.join(root, "home")
        assert seen["tmp"] == os.path.join(root, "tmp")
        assert seen["cwd"] == os.path.join(root, "work")
        # removed by the executor's thread once the attempt has ended
        wait_until(lambda root=root: not os.path.exists(root), f"{root} to be removed")
    assert first["cwd"] != second["cwd"]
    assert os.getcwd() not in (first["cwd"], second["cwd"])


def test_directories_are_gone_when_the_mock_ends() -> None:
    with mock_batch(executor="local") as mock:
        seen = _where(mock, mock.client())
    assert not any(os.path.exists(os.path.dirname(s["cwd"])) for s in seen)


def test_keep_workdirs_keeps_them_for_debugging() -> None:
    with mock_batch(executor="local", keep_workdirs=True) as mock:
        kept = _where(mock, mock.client())
    try:
        for seen in kept:
            assert os.listdir(seen["cwd"]) == ["left-behind"]
            assert os.path.isdir(seen["home"])
            assert os.path.isdir(seen["tmp"])
    finally:
        for seen in kept:
            root = os.path.dirname(seen["cwd"])
            for folder, _, files in os.walk(root, topdown=False):
                for name in files:
                    os.remove(os.path.join(folder, name))
                os.rmdir(folder)


def test_a_command_that_cannot_start_leaves_no_directory(batch: Any, local: BatchMock) -> None:
    environment(batch)
    LOCAL.definition(batch, "broken", command=["/nonexistent/program"])
    job_id = submit(batch, "broken")
    local.run_until_idle()
    assert describe(batch, job_id)["status"] == "FAILED"
    wait_until(
        lambda: not [n for n in os.listdir(tempfile.gettempdir()) if job_id in n],
        "the attempt's directory to be removed",
    )
    assert len(local.ecs_tasks or ()) == 0  # and no endpoints left behind
