"""Small builders shared by tests: a working compute environment, queue and job definition;
and what the installed botocore's Batch model says (operations, limits), so no test hard-codes
a limit the model defines."""

from __future__ import annotations

import functools
import re
from typing import Any

import botocore
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.model import ServiceModel, Shape


def make_ce(batch: Any, name: str = "ce", max_vcpus: int = 16, **kwargs: Any) -> str:
    """Create a managed EC2 compute environment and return its ARN."""
    resources = {
        "type": "EC2",
        "maxvCpus": max_vcpus,
        "minvCpus": 0,
        "subnets": ["subnet-1"],
        "securityGroupIds": ["sg-1"],
        "instanceRole": "ecsInstanceRole",
        "instanceTypes": ["optimal"],
    }
    resources.update(kwargs.pop("computeResources", {}))
    arn: str = batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED", computeResources=resources, **kwargs
    )["computeEnvironmentArn"]
    return arn


def make_queue(
    batch: Any, name: str = "q", ce: str = "ce", priority: int = 1, **kwargs: Any
) -> str:
    """Create an enabled job queue over one compute environment and return its ARN."""
    arn: str = batch.create_job_queue(
        jobQueueName=name,
        priority=priority,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}],
        **kwargs,
    )["jobQueueArn"]
    return arn


def make_job_definition(batch: Any, name: str = "jd", vcpus: int = 1, **kwargs: Any) -> str:
    """Register a container job definition and return its ARN."""
    container = {
        "image": "busybox",
        "command": ["echo", "hello"],
        "resourceRequirements": [
            {"type": "VCPU", "value": str(vcpus)},
            {"type": "MEMORY", "value": "512"},
        ],
    }
    container.update(kwargs.pop("containerProperties", {}))
    arn: str = batch.register_job_definition(
        jobDefinitionName=name, type="container", containerProperties=container, **kwargs
    )["jobDefinitionArn"]
    return arn


def make_env(batch: Any, max_vcpus: int = 16) -> None:
    """A compute environment ``ce``, a queue ``q`` and a job definition ``jd``."""
    make_ce(batch, max_vcpus=max_vcpus)
    make_queue(batch)
    make_job_definition(batch)


def submit_job(batch: Any, **kwargs: Any) -> str:
    """Submit a job (name ``j`` to queue ``q`` with definition ``jd`` unless given); its ID."""
    params: dict[str, Any] = {"jobName": "j", "jobQueue": "q", "jobDefinition": "jd"}
    params.update(kwargs)
    job_id: str = batch.submit_job(**params)["jobId"]
    return job_id


def describe_job(batch: Any, job_id: str) -> dict[str, Any]:
    """The JobDetail of one job (fails if the job is unknown)."""
    jobs = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert len(jobs) == 1, f"job {job_id} not found"
    detail: dict[str, Any] = jobs[0]
    return detail


def error_of(call: Any, *args: Any, **kwargs: Any) -> str:
    """The message of the ClientException (HTTP 400) that ``call(*args, **kwargs)`` must raise."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    assert info.value.response["Error"]["Code"] == "ClientException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message: str = info.value.response["Error"]["Message"]
    return message


def executing_error_of(call: Any, *args: Any, **kwargs: Any) -> str:
    """The ``<detail>`` of an ``Error executing request, Exception : <detail>, RequestId: <id>``
    ClientException (§2.5, §21.4), after checking the wrapper and that ``<id>`` is the response's
    own request id."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    assert response["Error"]["Code"] == "ClientException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message: str = response["Error"]["Message"]
    head, tail = (
        "Error executing request, Exception : ",
        f", RequestId: {response['ResponseMetadata']['RequestId']}",
    )
    assert message.startswith(head), message
    assert message.endswith(tail), message
    return message[len(head) : -len(tail)]


# -- the installed model: operations and limits ---------------------------------------------------
# Read here with botocore alone, independently of batchmock's own model reader, so a test checks
# the library against the model rather than against itself.


@functools.cache
def model() -> ServiceModel:
    """The installed botocore's Batch service model."""
    return botocore.session.get_session().get_service_model("batch")


def requires_operation(*operations: str) -> pytest.MarkDecorator:
    """Skip a test when the installed botocore's Batch model lacks one of ``operations``.

    The suite runs on the oldest botocore the project supports: a test of an operation newer
    than that model skips with the reason instead of failing.
    """
    missing = [name for name in operations if name not in model().operation_names]
    return pytest.mark.skipif(
        bool(missing),
        reason=f"the Batch model of the installed botocore {botocore.__version__} has no "
        f"{', '.join(missing)} operation",
    )


def has_member(shape: str, member: str) -> bool:
    """Whether the installed model's structure ``shape`` has ``member``."""
    return member in model().shape_for(shape).members  # type: ignore[attr-defined]


def requires_member(shape: str, member: str) -> pytest.MarkDecorator:
    """Skip a test when the installed model's ``shape`` has no ``member`` (added after our
    oldest botocore, like ``SchedulingPolicyDetail.quotaSharePolicy``)."""
    return pytest.mark.skipif(
        not has_member(shape, member),
        reason=f"the Batch model of the installed botocore {botocore.__version__} has no "
        f"{shape}.{member}",
    )


def modeled(shape: str, value: Any) -> Any:
    """``value`` (an expected output written for the newest model) as the installed model's
    ``shape`` has it: members that model lacks dropped at every depth, as the serializer does.

    On the newest botocore this returns ``value`` unchanged; on an older one a whole-shape
    assertion then still compares every member that model defines."""
    return _modeled(model().shape_for(shape), value)


def _modeled(shape: Shape, value: Any) -> Any:
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return {k: _modeled(members[k], v) for k, v in value.items() if k in members}
    if shape.type_name == "list" and isinstance(value, list):
        return [_modeled(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _modeled(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    return value


def requires_enum_value(shape: str, value: str) -> pytest.MarkDecorator:
    """Skip a test when the installed botocore's Batch model has no enum value ``value`` in the
    shape named ``shape`` (``ECS_MANAGED_INSTANCES`` in ``CRType`` came with botocore 1.44)."""
    try:
        found = value in (model().shape_for(shape).enum or [])
    except Exception:  # noqa: BLE001 - a model without the shape lacks the value too
        found = False
    return pytest.mark.skipif(
        not found,
        reason=f"the Batch model of the installed botocore {botocore.__version__} has no "
        f"{value} in {shape}",
    )


def model_shape(operation: str, path: str) -> Shape:
    """The shape at ``path`` of ``operation``'s input: members joined by dots, ``member`` for a
    list's element, ``key``/``value`` for a map's (``"tags.key"``, ``"jobs.member"``)."""
    shape = model().operation_model(operation).input_shape
    for step in path.split("."):
        shape = shape.members[step] if shape.type_name == "structure" else getattr(shape, step)
    return shape


def model_trait(operation: str, path: str, name: str) -> int:
    """The ``min``/``max`` trait of a member in the installed model (the test fails if absent)."""
    value = model_shape(operation, path).metadata.get(name)
    assert isinstance(value, int), f"{operation}.{path} has no {name} in this model"
    return value


UP_TO = r"up to (\d[\d,]*)"
"""The pattern of the usual way the model's documentation states a count ("up to 100")."""


def documented_number(operation: str, path: str, pattern: str = UP_TO) -> int:
    """The number ``pattern`` (one group) finds in a member's documentation, e.g.
    ``documented_number("DescribeJobs", "jobs")`` ("A list of up to 100 job IDs.") gives 100."""
    text = re.sub(r"<[^>]+>", " ", model_shape(operation, path).documentation or "")
    found = re.search(pattern, " ".join(text.split()))
    assert found is not None, f"the documentation of {operation}.{path} states no {pattern!r}"
    return int(found.group(1).replace(",", ""))


def default_image_type(eks: bool = False) -> str:
    """The image type a CE created without ``ec2Configuration`` reports, as the installed model
    states it ("the default is ECS_AL2023 for EC2 (ECS) compute environments and EKS_AL2023 for
    EKS"; ECS_AL2 / EKS_AL2 where an older model states no such default)."""
    shape = model_shape("CreateComputeEnvironment", "computeResources.ec2Configuration")
    text = " ".join(re.sub(r"<[^>]+>", " ", shape.documentation or "").split())
    found = re.search(r"the default is (ECS_\w+) for EC2 \(ECS\) .*? and (EKS_\w+) for EKS", text)
    if found is None:
        return "EKS_AL2" if eks else "ECS_AL2"
    return found.group(2) if eks else found.group(1)
