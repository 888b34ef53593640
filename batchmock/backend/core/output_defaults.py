"""The empty defaults AWS fills in on Describe/List outputs, per output shape (reference §21.1).

A member AWS fills in is returned even when the caller never gave it (``"command": []``,
``"tags": {}``), so code written against AWS reads it without a guard. This module is the one
place that knows these defaults: every Describe handler passes the structure it built through
:func:`fill` with the structure's model shape name, and :func:`fill` walks the nested shapes
listed in ``NESTED``. Members AWS does *not* fill in (``platformCapabilities``, ``propagateTags``,
``isCancelled``, ``isTerminated`` until set) are simply never defaulted here.

Sources (§21.1): [CLI-EX] the AWS CLI's describe-job-definitions / describe-jobs examples,
[BOTO-EX] botocore's examples-1.json, [TF] terraform-provider-aws acceptance tests
(``_basic``, ``_ContainerProperties_advanced``, ``_NodeProperties_basic``,
``_PlatformCapabilitiesFargate_containerPropertiesDefaults``), [LOG]/[RAF] real CLI output,
[docs] the EKS job examples of the User Guide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_CONTAINER: Mapping[str, Callable[[], Any]] = {
    "command": list,
    "environment": list,
    "mountPoints": list,
    "resourceRequirements": list,
    "secrets": list,
    "ulimits": list,
    "volumes": list,
}
"""ContainerProperties as AWS returns it [CLI-EX][BOTO-EX][TF][LOG][Netflix/metaflow#408]."""

DEFAULTS: Mapping[str, Mapping[str, Callable[[], Any]]] = {
    # job definitions, node ranges and the container of DescribeJobs
    "ContainerProperties": _CONTAINER,
    "ContainerDetail": {**_CONTAINER, "networkInterfaces": list},  # [LOG][docs: event sample]
    "LogConfiguration": {"secretOptions": list},
    "NodeRangeProperty": {"instanceTypes": list},  # [TF _NodeProperties_basic]
    "EksContainer": {"command": list, "args": list, "env": list, "volumeMounts": list},
    "EksPodProperties": {"volumes": list},  # [docs: EKS job examples]
    "RetryStrategy": {"evaluateOnExit": list},  # [LOG][apache/airflow#39607]
    # tags {} on every taggable Describe output [LOG][RAF][docs: SageMaker job queue page]
    "JobDefinition": {"tags": dict},
    "JobDetail": {"tags": dict, "eksAttempts": list},  # [LOG][docs: event sample]
    "JobQueueDetail": {"tags": dict, "jobStateTimeLimitActions": list},  # [LOG]
    "ComputeEnvironmentDetail": {"tags": dict},
    "Ec2ComputeResource": {"tags": dict},  # EC2/SPOT computeResources [TF _createEC2][LOG][RAF]
    "SchedulingPolicyDetail": {"tags": dict},
}

NESTED: Mapping[str, Mapping[str, str]] = {
    "JobDefinition": {
        "containerProperties": "ContainerProperties",
        "nodeProperties": "NodeProperties",
        "eksProperties": "EksProperties",
        "retryStrategy": "RetryStrategy",
    },
    "JobDetail": {
        "container": "ContainerDetail",
        "nodeProperties": "NodeProperties",
        "eksProperties": "EksProperties",
        "retryStrategy": "RetryStrategy",
    },
    "ContainerProperties": {"logConfiguration": "LogConfiguration"},
    "ContainerDetail": {"logConfiguration": "LogConfiguration"},
    "NodeProperties": {"nodeRangeProperties": "NodeRangeProperty"},
    "NodeRangeProperty": {"container": "ContainerProperties", "eksProperties": "EksProperties"},
    "EksProperties": {"podProperties": "EksPodProperties"},
    "EksPodProperties": {"containers": "EksContainer", "initContainers": "EksContainer"},
}
"""Members holding a structure (or a list of structures) whose shape has defaults of its own."""


def fill(shape: str, value: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``value`` (a ``shape`` output structure) with AWS's empty defaults filled in.

    A member that is absent or None gets its default. Only the structures on the way to a
    default are copied; ``value`` is never changed, so stored state can be passed in directly.
    """
    out = dict(value)
    for member, factory in DEFAULTS.get(shape, {}).items():
        if out.get(member) is None:
            out[member] = factory()
    for member, inner in NESTED.get(shape, {}).items():
        item = out.get(member)
        if isinstance(item, Mapping):
            out[member] = fill(inner, item)
        elif isinstance(item, list):
            out[member] = [fill(inner, e) if isinstance(e, Mapping) else e for e in item]
    return out


def drop_empty_environment(container: Mapping[str, Any] | None) -> Any:
    """``container`` without environment entries whose value is empty (§21.1).

    AWS drops them from a stored definition [TF ``_ContainerProperties_EmptyField``].
    """
    if not container or not container.get("environment"):
        return container
    kept = [e for e in container["environment"] if not isinstance(e, Mapping) or e.get("value")]
    return {**container, "environment": kept}
