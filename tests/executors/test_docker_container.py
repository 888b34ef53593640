"""The Docker executor gives each attempt what a Batch container has (``executor="docker"``).

Needs an engine with ``localhost/python:3.11`` (see ``test_docker.py``); skips without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from batchmock import BatchMock, mock_batch
from tests.executors import container_scenarios as checks

pytest.importorskip("docker", reason="the Docker SDK is the 'docker' extra")

from tests.executors.test_docker import DOCKER, engine  # noqa: E402, F401 (the fixture)

pytestmark = pytest.mark.requires_docker


@pytest.fixture
def containers(engine: Any) -> Iterator[BatchMock]:  # noqa: F811 (the imported fixture)
    """An active mock running jobs as containers."""
    with mock_batch(executor="docker") as mock:
        yield mock


@pytest.fixture
def batch(containers: BatchMock) -> Any:
    """A Batch client of the Docker mock."""
    return containers.client()


def test_ecs_environment(batch: Any, containers: BatchMock) -> None:
    checks.check_ecs_environment(containers, batch, DOCKER)


def test_metadata_endpoint_and_role_credentials(batch: Any, containers: BatchMock) -> None:
    checks.check_metadata_and_role_credentials(containers, batch, DOCKER)


def test_metaflow_step_runs_and_retries(batch: Any, containers: BatchMock) -> None:
    checks.check_metaflow_step(containers, batch, DOCKER)


def test_multinode_nodes_run_as_containers(batch: Any, containers: BatchMock) -> None:
    checks.check_multinode(containers, batch, DOCKER)


def test_the_metadata_names_the_container(batch: Any, containers: BatchMock, engine: Any) -> None:  # noqa: F811
    checks.check_docker_id(containers, batch, DOCKER, engine)
