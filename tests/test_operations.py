"""Every operation of the installed botocore's Batch model is implemented and answers.

The operations are enumerated from the installed model, so a newer botocore that adds one fails
here on the machine that has it, instead of answering "not implemented" to users.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from batchmock import BatchMock
from batchmock.backend.operations import OPERATIONS

_MODEL = botocore.session.get_session().get_service_model("batch")


def _minimal(shape: Any) -> Any:
    """The smallest value botocore accepts for ``shape``: required members only."""
    kind = shape.type_name
    if kind == "structure":
        return {name: _minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [_minimal(shape.member)] * max(shape.metadata.get("min", 1), 1)
    if kind == "map":
        return {"k": _minimal(shape.value)}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        return "x" * max(shape.metadata.get("min", 1), 1)
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind in ("double", "float"):
        return 1.0
    if kind == "boolean":
        return True
    raise AssertionError(f"unexpected shape type {kind}")


@pytest.mark.parametrize("operation", _MODEL.operation_names)
def test_every_operation_of_the_installed_model_is_implemented(operation: str) -> None:
    assert operation in OPERATIONS, (
        f"botocore {botocore.__version__} has the Batch operation {operation}, "
        "which batchmock does not implement"
    )


@pytest.mark.parametrize("operation", _MODEL.operation_names)
def test_every_operation_answers_without_a_server_error(mock: BatchMock, operation: str) -> None:
    """The smallest request botocore sends is answered: a success (whose shape the conftest
    hook checks against the model) or a ClientException of the operation itself."""
    client = mock.client()
    op = _MODEL.operation_model(operation)
    params = _minimal(op.input_shape) if op.input_shape is not None else {}
    method = getattr(client, botocore.xform_name(operation))
    error = _call(method, params)
    if error is None:
        return
    assert error.response["Error"]["Code"] == "ClientException", error.response
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.response["Error"]["Message"]
    assert "not implemented" not in error.response["Error"]["Message"]


def _call(method: Any, params: dict[str, Any]) -> ClientError | None:
    try:
        method(**params)
    except ClientError as exc:
        return exc
    return None


def test_core_operations_are_all_implemented() -> None:
    core = {
        "CreateComputeEnvironment",
        "DescribeComputeEnvironments",
        "UpdateComputeEnvironment",
        "DeleteComputeEnvironment",
        "CreateJobQueue",
        "DescribeJobQueues",
        "UpdateJobQueue",
        "DeleteJobQueue",
        "RegisterJobDefinition",
        "DescribeJobDefinitions",
        "DeregisterJobDefinition",
        "SubmitJob",
        "DescribeJobs",
        "ListJobs",
        "CancelJob",
        "TerminateJob",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
        "CreateSchedulingPolicy",
        "DescribeSchedulingPolicies",
        "ListSchedulingPolicies",
        "UpdateSchedulingPolicy",
        "DeleteSchedulingPolicy",
    }
    assert core <= set(OPERATIONS)


# -- an older botocore whose model lacks the newest operations -----------------------------------
NEWEST = ("CancelJobs", "TerminateJobs", "TerminateServiceJobs")

_ON_AN_OLDER_MODEL = """
import json
import boto3
from batchmock import mock_batch
from batchmock.service_model import documented_max, has_operation

assert not any(has_operation(name) for name in {newest!r})
assert documented_max("CancelJobs", "jobs") is None
with mock_batch() as mock:
    batch = mock.client()
    assert not hasattr(batch, "cancel_jobs")
    request = b'{{"jobs": [], "reason": "r"}}'
    status, _, body = mock.handle("POST", "/v1/canceljobs", "", {{}}, request)
    print(json.dumps({{"status": status, "body": json.loads(body)}}))
    batch.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
"""


@pytest.fixture
def older_model(tmp_path: Path) -> dict[str, str]:
    """An environment whose botocore loads a Batch model without the newest operations."""
    model = json.loads(json.dumps(_MODEL._service_description))
    for name in NEWEST:
        model["operations"].pop(name, None)
    folder = tmp_path / "batch" / _MODEL.api_version
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model))
    env = dict(os.environ)
    env["AWS_DATA_PATH"] = str(tmp_path)
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    return env


def test_an_older_model_without_the_newest_operations_neither_crashes_nor_routes_them(
    older_model: dict[str, str],
) -> None:
    script = _ON_AN_OLDER_MODEL.format(newest=NEWEST)
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=older_model,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 400
    assert answer["body"]["__type"] == "ClientException"


def test_tests_of_operations_the_model_lacks_skip_with_the_reason(
    older_model: dict[str, str],
) -> None:
    test_file = Path(__file__).parent / "api" / "test_bulk_cancel_terminate.py"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            str(test_file),
        ],
        env=older_model,
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" not in done.stdout, done.stdout
    assert "skipped" in done.stdout
    for name in NEWEST:
        assert f"has no {name} operation" in done.stdout, done.stdout
