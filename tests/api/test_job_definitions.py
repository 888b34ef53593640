"""Job definitions through boto3: register, describe, deregister, resolve (§3, §10, §17)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from batchmock import BatchMock, mock_batch
from batchmock.backend.jobs import job_definitions as jds
from tests.support import documented_number, executing_error_of

JD = "RegisterJobDefinition"

PREFIX = "arn:aws:batch:us-east-1:123456789012:job-definition/"
CONTAINER_DEFAULTS: dict[str, Any] = {
    "command": [],
    "environment": [],
    "mountPoints": [],
    "resourceRequirements": [],
    "secrets": [],
    "ulimits": [],
    "volumes": [],
}
"""What AWS fills into every containerProperties (§21.1)."""
ROLE = "arn:aws:iam::123456789012:role/exec"


def container(**extra: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "image": "busybox",
        "command": ["echo", "Ref::word"],
        "resourceRequirements": [
            {"type": "VCPU", "value": "1"},
            {"type": "MEMORY", "value": "512"},
        ],
    }
    props.update(extra)
    return props


def fargate(vcpu: str = "0.25", memory: str = "512", **extra: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "image": "busybox",
        "executionRoleArn": ROLE,
        "resourceRequirements": [
            {"type": "VCPU", "value": vcpu},
            {"type": "MEMORY", "value": memory},
        ],
    }
    props.update(extra)
    return props


def register(batch: Any, name: str = "jd", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("type", "container")
    if kwargs["type"] == "container" and not {"ecsProperties", "eksProperties"} & set(kwargs):
        kwargs.setdefault("containerProperties", container())
    result: dict[str, Any] = batch.register_job_definition(jobDefinitionName=name, **kwargs)
    return result


def rejects(batch: Any, match: str, **kwargs: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException, match=match):
        register(batch, **kwargs)


def describe(batch: Any, **kwargs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = batch.describe_job_definitions(**kwargs)["jobDefinitions"]
    return found


def node_props(num: int = 3, main: int = 0, *ranges: dict[str, Any]) -> dict[str, Any]:
    groups = list(ranges) or [{"targetNodes": "0:", "container": container()}]
    return {"numNodes": num, "mainNode": main, "nodeRangeProperties": groups}


# -- registration and revisions ---------------------------------------------------------------
def test_register_returns_name_arn_and_first_revision(batch: Any) -> None:
    out = register(batch, "build")
    assert out["jobDefinitionName"] == "build"
    assert out["revision"] == 1
    assert out["jobDefinitionArn"] == PREFIX + "build:1"


def test_revisions_rise_and_are_never_reused(batch: Any) -> None:
    assert [register(batch)["revision"] for _ in range(3)] == [1, 2, 3]
    batch.deregister_job_definition(jobDefinition="jd:3")
    assert register(batch)["revision"] == 4
    assert register(batch, "other")["revision"] == 1


def test_describe_echoes_the_definition_with_defaults(batch: Any) -> None:
    register(
        batch,
        parameters={"word": "hi"},
        retryStrategy={"attempts": 3, "evaluateOnExit": [{"onExitCode": "1*", "action": "retry"}]},
        timeout={"attemptDurationSeconds": 60},
        schedulingPriority=5,
        propagateTags=True,
        tags={"team": "a"},
    )
    (found,) = describe(batch)
    # the whole shape: AWS's container defaults filled in (§21.1), the rest as given
    assert found == {
        "jobDefinitionName": "jd",
        "jobDefinitionArn": PREFIX + "jd:1",
        "revision": 1,
        "status": "ACTIVE",
        "type": "container",
        "schedulingPriority": 5,
        "parameters": {"word": "hi"},
        "retryStrategy": {
            "attempts": 3,
            "evaluateOnExit": [{"onExitCode": "1*", "action": "retry"}],
        },
        "containerProperties": {**CONTAINER_DEFAULTS, **container()},
        "timeout": {"attemptDurationSeconds": 60},
        "tags": {"team": "a"},
        "propagateTags": True,
        "containerOrchestrationType": "ECS",
    }


def test_definition_without_optional_members_shows_aws_defaults(batch: Any) -> None:
    # §21.1: tags {} and the container's empty lists; no platformCapabilities (AWS never
    # invents ["EC2"], [TF _basic]) and no propagateTags until set [LOG]
    register(batch, containerProperties={"image": "busybox", "vcpus": 1, "memory": 512})
    (found,) = describe(batch)
    assert found == {
        "jobDefinitionName": "jd",
        "jobDefinitionArn": PREFIX + "jd:1",
        "revision": 1,
        "status": "ACTIVE",
        "type": "container",
        "parameters": {},
        "containerProperties": {
            **CONTAINER_DEFAULTS,
            "image": "busybox",
            "vcpus": 1,
            "memory": 512,
        },
        "tags": {},
        "containerOrchestrationType": "ECS",
    }


def test_retry_strategy_without_evaluate_on_exit_shows_an_empty_list(batch: Any) -> None:
    register(batch, retryStrategy={"attempts": 2})  # [LOG][apache/airflow#39607]
    assert describe(batch)[0]["retryStrategy"] == {"attempts": 2, "evaluateOnExit": []}


def test_empty_valued_environment_entries_are_dropped(batch: Any) -> None:
    env = [{"name": "KEEP", "value": "1"}, {"name": "EMPTY", "value": ""}]  # [TF _EmptyField]
    register(batch, containerProperties=container(environment=env))
    assert describe(batch)[0]["containerProperties"]["environment"] == [
        {"name": "KEEP", "value": "1"}
    ]


def test_log_configuration_shows_empty_secret_options(batch: Any) -> None:
    log = {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}
    register(batch, containerProperties=container(logConfiguration=log))
    assert describe(batch)[0]["containerProperties"]["logConfiguration"] == {
        **log,
        "secretOptions": [],
    }


@pytest.mark.parametrize("name", ["has space", "x" * 129, "dot.name"])
def test_bad_names_are_rejected(batch: Any, name: str) -> None:
    with pytest.raises(batch.exceptions.ClientException, match="jobDefinitionName"):
        register(batch, name)


def test_deprecated_vcpus_and_memory_are_accepted_on_ec2(batch: Any) -> None:
    register(batch, containerProperties={"image": "busybox", "vcpus": 2, "memory": 256})
    assert describe(batch)[0]["containerProperties"]["vcpus"] == 2


# -- §10.1 / §10.2 shape rules ------------------------------------------------------------------
def test_container_type_needs_exactly_one_kind_of_properties(batch: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException, match="exactly one of"):
        batch.register_job_definition(jobDefinitionName="jd", type="container")
    eks = {"podProperties": {"containers": [{"image": "busybox"}]}}
    rejects(batch, "exactly one of", containerProperties=container(), eksProperties=eks)


def test_container_type_refuses_node_properties(batch: Any) -> None:
    rejects(batch, "nodeProperties", containerProperties=container(), nodeProperties=node_props())


def test_multinode_needs_node_properties_and_nothing_else(batch: Any) -> None:
    rejects(batch, "nodeProperties: is required", type="multinode")
    rejects(
        batch,
        "containerProperties: may not be given",
        type="multinode",
        nodeProperties=node_props(),
        containerProperties=container(),
    )


# -- §10.3 EC2 resources ------------------------------------------------------------------------
def test_ec2_without_vcpu_is_rejected_with_aws_text(batch: Any) -> None:
    props = {"image": "busybox", "resourceRequirements": [{"type": "MEMORY", "value": "512"}]}
    rejects(batch, r"vCPU is not provided\.", containerProperties=props)


def test_ec2_without_memory_is_rejected(batch: Any) -> None:
    rejects(batch, "Memory is not provided", containerProperties={"image": "b", "vcpus": 1})


def test_vcpus_and_vcpu_requirement_together_are_rejected(batch: Any) -> None:
    rejects(batch, "containerProperties.vcpus", containerProperties=container(vcpus=1))


def test_memory_below_4_mib_is_rejected(batch: Any) -> None:
    rejects(batch, "at least 4", containerProperties={"image": "b", "vcpus": 1, "memory": 2})


def test_requirement_values_must_be_numbers_in_strings(batch: Any) -> None:
    bad = container(resourceRequirements=[{"type": "VCPU", "value": "one"}])
    rejects(batch, r"resourceRequirements\[0\]\.value", containerProperties=bad)
    # a type given twice is accepted (no source says AWS refuses it) and echoed as given
    twice = [
        {"type": "VCPU", "value": "1"},
        {"type": "VCPU", "value": "2"},
        {"type": "MEMORY", "value": "512"},
    ]
    register(batch, containerProperties=container(resourceRequirements=twice))
    assert describe(batch)[0]["containerProperties"]["resourceRequirements"] == twice


def test_image_is_required_and_checked(batch: Any) -> None:
    rejects(
        batch, "containerProperties.image: is required", containerProperties=container(image="")
    )
    rejects(batch, "containerProperties.image", containerProperties=container(image="bad image"))
    register(batch, containerProperties=container(image="public.ecr.aws/a/b@sha256:0f"))


def test_instance_type_only_for_multinode(batch: Any) -> None:
    rejects(batch, "instanceType", containerProperties=container(instanceType="c5.large"))


# -- §10.5 / §10.6 Fargate -----------------------------------------------------------------------
def test_fargate_definition_gets_aws_defaults(batch: Any) -> None:
    register(batch, platformCapabilities=["FARGATE"], containerProperties=fargate())
    (found,) = describe(batch)
    props = found["containerProperties"]
    assert found["platformCapabilities"] == ["FARGATE"]
    assert props["fargatePlatformConfiguration"] == {"platformVersion": "LATEST"}
    assert props["networkConfiguration"] == {"assignPublicIp": "DISABLED"}


def test_fargate_keeps_given_platform_settings(batch: Any) -> None:
    props = fargate(
        fargatePlatformConfiguration={"platformVersion": "1.4.0"},
        networkConfiguration={"assignPublicIp": "ENABLED"},
    )
    register(batch, platformCapabilities=["FARGATE"], containerProperties=props)
    out = describe(batch)[0]["containerProperties"]
    assert out["fargatePlatformConfiguration"] == {"platformVersion": "1.4.0"}
    assert out["networkConfiguration"] == {"assignPublicIp": "ENABLED"}


@pytest.mark.parametrize(
    ("vcpu", "memory"),
    [
        ("0.25", "512"),
        ("0.25", "2048"),
        ("0.5", "3072"),
        ("1", "8192"),
        ("2", "16384"),
        ("4", "30720"),
        ("8", "20480"),
        ("16", "122880"),
    ],
)
def test_fargate_pairs_from_the_table_are_accepted(batch: Any, vcpu: str, memory: str) -> None:
    register(batch, platformCapabilities=["FARGATE"], containerProperties=fargate(vcpu, memory))


@pytest.mark.parametrize(
    ("vcpu", "memory", "text"),
    [
        ("1", "4000", r"\(1\.00 vCPU, 4000 MiB\)"),
        ("0.25", "3072", r"\(0\.25 vCPU, 3072 MiB\)"),
        ("8", "18432", r"\(8\.00 vCPU, 18432 MiB\)"),
        ("3", "8192", r"\(3\.00 vCPU, 8192 MiB\)"),
    ],
)
def test_fargate_pairs_outside_the_table_are_rejected(
    batch: Any, vcpu: str, memory: str, text: str
) -> None:
    rejects(
        batch,
        "Fargate resource requirements " + text + " not valid.",
        platformCapabilities=["FARGATE"],
        containerProperties=fargate(vcpu, memory),
    )


def test_fargate_refuses_deprecated_vcpus(batch: Any) -> None:
    rejects(
        batch,
        "vcpus is not applicable for Fargate. Use resource requirements instead.",
        platformCapabilities=["FARGATE"],
        containerProperties=fargate(vcpus=1),
    )


@pytest.mark.parametrize(
    ("extra", "member"),
    [
        ({"privileged": True}, "privileged"),
        ({"ulimits": [{"name": "nofile", "softLimit": 1, "hardLimit": 2}]}, "ulimits"),
        ({"linuxParameters": {"sharedMemorySize": 64}}, "sharedMemorySize"),
        ({"linuxParameters": {"devices": [{"hostPath": "/dev/x"}]}}, "devices"),
        ({"logConfiguration": {"logDriver": "json-file"}}, "logDriver"),
        ({"ephemeralStorage": {"sizeInGiB": 10}}, "sizeInGiB"),
        (
            {
                "resourceRequirements": [
                    {"type": "VCPU", "value": "1"},
                    {"type": "MEMORY", "value": "2048"},
                    {"type": "GPU", "value": "1"},
                ]
            },
            "GPU",
        ),
    ],
)
def test_fargate_refuses_members_it_does_not_have(
    batch: Any, extra: dict[str, Any], member: str
) -> None:
    rejects(batch, member, platformCapabilities=["FARGATE"], containerProperties=fargate(**extra))


def test_fargate_needs_an_execution_role(batch: Any) -> None:
    props = fargate()
    del props["executionRoleArn"]
    rejects(batch, "executionRoleArn", platformCapabilities=["FARGATE"], containerProperties=props)


def test_execution_role_rule_can_be_turned_off() -> None:
    from batchmock import mock_batch

    with mock_batch(fargate_requires_execution_role=False) as mock:
        props = fargate()
        del props["executionRoleArn"]
        register(mock.client(), platformCapabilities=["FARGATE"], containerProperties=props)


def test_fargate_refuses_multinode(batch: Any) -> None:
    rejects(
        batch,
        "not supported on Fargate",
        type="multinode",
        platformCapabilities=["FARGATE"],
        nodeProperties=node_props(),
    )


def test_platform_capabilities_must_be_one_known_value(batch: Any) -> None:
    rejects(batch, "platformCapabilities", platformCapabilities=["EC2", "FARGATE"])
    rejects(batch, "platformCapabilities", platformCapabilities=["LAMBDA"])


# -- §9.1 reserved environment variables --------------------------------------------------------
def test_aws_batch_variables_are_rejected_in_container(batch: Any) -> None:
    env = [{"name": "OK", "value": "1"}, {"name": "AWS_BATCH_JOB_ID", "value": "x"}]
    rejects(
        batch,
        r"containerProperties\.environment\[1\]\.name.*AWS_BATCH",
        containerProperties=container(environment=env),
    )


def test_aws_batch_variables_are_rejected_in_ecs_eks_and_nodes(batch: Any) -> None:
    bad = [{"name": "AWS_BATCHX", "value": "1"}]
    ecs = {
        "taskProperties": [
            {"containers": [{"image": "b", "environment": bad, "resourceRequirements": _rr()}]}
        ]
    }
    rejects(batch, r"containers\[0\]\.environment\[0\]\.name", ecsProperties=ecs)
    eks = {"podProperties": {"containers": [{"image": "b", "env": bad}]}}
    rejects(batch, r"containers\[0\]\.env\[0\]\.name", eksProperties=eks)
    nodes = node_props(2, 0, {"targetNodes": "0:", "container": container(environment=bad)})
    rejects(
        batch,
        r"nodeRangeProperties\[0\]\.container\.environment",
        type="multinode",
        nodeProperties=nodes,
    )


def test_other_variables_are_fine(batch: Any) -> None:
    register(batch, containerProperties=container(environment=[{"name": "AWS_REGION2"}]))


def test_an_image_name_as_long_as_the_model_allows(batch: Any) -> None:
    longest = documented_number(JD, "containerProperties.image", r"can be (\d+) characters long")
    image = "registry.example/" + "a" * (longest - len("registry.example/"))
    assert len(image) == longest
    register(batch, containerProperties=container(image=image))
    assert describe(batch)[0]["containerProperties"]["image"] == image
    rejects(
        batch,
        f"must be up to {longest} characters",
        name="too-long",
        containerProperties=container(image=image + "a"),
    )


# -- §7 retry strategy, §8 timeout, §10.12 priority, tags, size -----------------------------------
# the limits as the installed model documents them
ATTEMPTS_MIN = documented_number(JD, "retryStrategy.attempts", r"between (\d+) and")
ATTEMPTS_MAX = documented_number(JD, "retryStrategy.attempts", r"between \d+ and (\d+)")
EXITS_MAX = documented_number(JD, "retryStrategy.evaluateOnExit", r"up to (\d+) objects")
PATTERN_MAX = documented_number(JD, "retryStrategy.evaluateOnExit.member.onStatusReason")
TIMEOUT_MIN = documented_number(JD, "timeout.attemptDurationSeconds", r"timeout is (\d+) seconds")
PRIORITY_MAX = documented_number(JD, "schedulingPriority", r"maximum supported value is (\d+)")


@pytest.mark.parametrize(
    ("strategy", "member"),
    [
        ({"attempts": ATTEMPTS_MIN - 1}, "retryStrategy.attempts"),
        ({"attempts": ATTEMPTS_MAX + 1}, "retryStrategy.attempts"),
        (
            {"attempts": 2, "evaluateOnExit": [{"action": "EXIT"}] * (EXITS_MAX + 1)},
            "evaluateOnExit",
        ),
        ({"evaluateOnExit": [{"action": "EXIT"}]}, "retryStrategy.attempts"),
        ({"attempts": 2, "evaluateOnExit": [{"action": "EXIT", "onExitCode": "1a"}]}, "onExitCode"),
        ({"attempts": 2, "evaluateOnExit": [{"action": "EXIT", "onReason": "a*b"}]}, "onReason"),
        (
            {
                "attempts": 2,
                "evaluateOnExit": [{"action": "EXIT", "onStatusReason": "x" * (PATTERN_MAX + 1)}],
            },
            "onStatusReason",
        ),
    ],
)
def test_bad_retry_strategies_are_rejected(
    batch: Any, strategy: dict[str, Any], member: str
) -> None:
    rejects(batch, member, retryStrategy=strategy)


def test_good_retry_strategy_with_patterns(batch: Any) -> None:
    entries = [
        {"onStatusReason": "Host EC2*", "action": "RETRY"},
        {"onReason": "CannotPullContainerError:*", "onExitCode": "137", "action": "exit"},
        {"action": "Exit", "onExitCode": "*"},
    ]
    register(batch, retryStrategy={"attempts": ATTEMPTS_MAX, "evaluateOnExit": entries})
    assert describe(batch)[0]["retryStrategy"]["evaluateOnExit"] == entries


def test_the_retry_limits_of_the_model_are_accepted(batch: Any) -> None:
    entries = [{"action": "EXIT", "onStatusReason": "x" * PATTERN_MAX}] * EXITS_MAX
    register(batch, retryStrategy={"attempts": ATTEMPTS_MIN, "evaluateOnExit": entries})
    assert describe(batch)[0]["retryStrategy"] == {
        "attempts": ATTEMPTS_MIN,
        "evaluateOnExit": entries,
    }


def test_a_timeout_below_the_model_minimum_is_rejected(batch: Any) -> None:
    short = {"attemptDurationSeconds": TIMEOUT_MIN - 1}
    rejects(batch, f"must be at least {TIMEOUT_MIN} seconds", timeout=short)
    register(batch, timeout={"attemptDurationSeconds": TIMEOUT_MIN})


def test_scheduling_priority_range(batch: Any) -> None:
    rejects(batch, "schedulingPriority", schedulingPriority=PRIORITY_MAX + 1)
    register(batch, schedulingPriority=PRIORITY_MAX)


def test_tag_rules(batch: Any) -> None:
    register(batch, tags={})  # §21.2: AWS accepts an empty map (Snakemake sends it)
    rejects(batch, "tags", tags={"aws:x": "1"})


def test_definition_over_24_kib_is_rejected(batch: Any) -> None:
    big = container(command=["echo", "x" * (25 * 1024)])
    rejects(batch, "24 KiB", containerProperties=big)
    register(batch, containerProperties=container(command=["echo", "x" * (20 * 1024)]))


# -- ECS and EKS ----------------------------------------------------------------------------------
def _rr(vcpu: str = "1", memory: str = "2048") -> list[dict[str, str]]:
    return [{"type": "VCPU", "value": vcpu}, {"type": "MEMORY", "value": memory}]


def test_ecs_properties_register_and_echo(batch: Any) -> None:
    ecs = {
        "taskProperties": [
            {
                "containers": [
                    {"name": "main", "image": "busybox", "resourceRequirements": _rr()},
                    {
                        "name": "side",
                        "image": "busybox",
                        "essential": False,
                        "dependsOn": [{"containerName": "main", "condition": "START"}],
                    },
                ]
            }
        ]
    }
    register(batch, ecsProperties=ecs)
    (found,) = describe(batch)
    assert found["ecsProperties"] == ecs
    assert "containerProperties" not in found


def test_ecs_rules(batch: Any) -> None:
    one = {"image": "b", "resourceRequirements": _rr()}
    rejects(
        batch,
        "exactly one task",
        ecsProperties={"taskProperties": [{"containers": [one]}, {"containers": [one]}]},
    )
    rejects(
        batch,
        "essential",
        ecsProperties={"taskProperties": [{"containers": [dict(one, essential=False)]}]},
    )
    rejects(
        batch,
        "1 to 10",
        ecsProperties={
            "taskProperties": [{"containers": [dict(one, name=f"c{i}") for i in range(11)]}]
        },
    )
    rejects(
        batch,
        "dependsOn",
        ecsProperties={
            "taskProperties": [
                {
                    "containers": [
                        dict(
                            one, name="a", dependsOn=[{"containerName": "zz", "condition": "START"}]
                        )
                    ]
                }
            ]
        },
    )


def test_ecs_fargate_task_gets_defaults_and_pair_check(batch: Any) -> None:
    task = {
        "executionRoleArn": ROLE,
        "containers": [{"image": "b", "resourceRequirements": _rr("0.5", "1024")}],
    }
    register(batch, platformCapabilities=["FARGATE"], ecsProperties={"taskProperties": [task]})
    stored = describe(batch)[0]["ecsProperties"]["taskProperties"][0]
    assert stored["platformVersion"] == "LATEST"
    assert stored["networkConfiguration"] == {"assignPublicIp": "DISABLED"}
    bad = copy.deepcopy(task)
    bad["containers"][0]["resourceRequirements"] = _rr("0.5", "8192")
    rejects(
        batch,
        "not valid",
        platformCapabilities=["FARGATE"],
        ecsProperties={"taskProperties": [bad]},
    )


def test_eks_definition_has_no_platform_and_is_eks(batch: Any) -> None:
    eks = {"podProperties": {"containers": [{"image": "busybox", "env": [{"name": "A"}]}]}}
    register(batch, eksProperties=eks)
    (found,) = describe(batch)
    assert found["containerOrchestrationType"] == "EKS"
    assert "platformCapabilities" not in found
    # [docs: EKS job examples]: command, args, env, volumeMounts and the pod's volumes as []
    assert found["eksProperties"] == {
        "podProperties": {
            "containers": [
                {
                    "image": "busybox",
                    "env": [{"name": "A"}],
                    "command": [],
                    "args": [],
                    "volumeMounts": [],
                }
            ],
            "volumes": [],
        }
    }
    rejects(batch, "platformCapabilities", eksProperties=eks, platformCapabilities=["EC2"])
    rejects(batch, "propagateTags", eksProperties=eks, propagateTags=True)
    rejects(batch, "containers", eksProperties={"podProperties": {"containers": []}})


# -- §17 multinode ------------------------------------------------------------------------------
def test_multinode_definition_registers(batch: Any) -> None:
    nodes = node_props(
        4,
        0,
        {"targetNodes": "0:3", "container": container(instanceType="c5.xlarge")},
        {"targetNodes": "1:2", "container": {"image": "worker"}},
    )
    register(batch, type="multinode", nodeProperties=nodes)
    (found,) = describe(batch)
    assert found["type"] == "multinode"
    # [TF _NodeProperties_basic]: each range has instanceTypes [] and the container defaults
    assert found["nodeProperties"] == {
        "numNodes": 4,
        "mainNode": 0,
        "nodeRangeProperties": [
            {
                "targetNodes": "0:3",
                "container": {**CONTAINER_DEFAULTS, **container(instanceType="c5.xlarge")},
                "instanceTypes": [],
            },
            {
                "targetNodes": "1:2",
                "container": {**CONTAINER_DEFAULTS, "image": "worker"},
                "instanceTypes": [],
            },
        ],
    }


@pytest.mark.parametrize(
    ("nodes", "text"),
    [
        (node_props(2, 2), "mainNode"),
        (node_props(1001, 0), "numNodes"),
        (node_props(3, 0, {"targetNodes": "0:1", "container": container()}), "node 2 is in none"),
        (node_props(3, 0, {"targetNodes": "0:5", "container": container()}), "within the nodes"),
        (node_props(3, 0, {"targetNodes": "2:1", "container": container()}), "within the nodes"),
        (node_props(3, 0, {"targetNodes": "all", "container": container()}), "targetNodes"),
        (
            node_props(
                6, 0, *[{"targetNodes": f"{i}:{i}", "container": container()} for i in range(6)]
            ),
            "1 to 5 node groups",
        ),
        (
            node_props(
                2, 0, {"targetNodes": "0:", "container": container(), "instanceTypes": ["a", "b"]}
            ),
            "at most one",
        ),
        (
            node_props(
                2,
                0,
                {"targetNodes": "0:0", "container": container(instanceType="a")},
                {"targetNodes": "1:1", "container": container(instanceType="b")},
            ),
            "same instance type",
        ),
        (
            node_props(
                2,
                0,
                {"targetNodes": "0:0", "container": container()},
                {"targetNodes": "1:1", "container": {"image": "b"}},
            ),
            r"vCPU is not provided\. \(node 1\)",
        ),
    ],
)
def test_multinode_rules(batch: Any, nodes: dict[str, Any], text: str) -> None:
    rejects(batch, text, type="multinode", nodeProperties=nodes)


def test_open_ranges_cover_all_nodes(batch: Any) -> None:
    nodes = node_props(
        5,
        4,
        {"targetNodes": ":1", "container": container(image="first")},
        {"targetNodes": "2:", "container": container(image="rest")},
    )
    register(batch, type="multinode", nodeProperties=nodes)
    (stored,) = describe(batch, jobDefinitions=["jd:1"])
    assert [(r["targetNodes"], r["container"]["image"]) for r in stored["nodeProperties"][
        "nodeRangeProperties"
    ]] == [(":1", "first"), ("2:", "rest")]  # fmt: skip
    # ":1" ends at node 1 and "3:" starts at node 3: node 2 is in neither
    gap = node_props(
        5,
        4,
        {"targetNodes": ":1", "container": container()},
        {"targetNodes": "3:", "container": container()},
    )
    assert executing_error_of(register, batch, type="multinode", nodeProperties=gap) == (
        "nodeProperties.nodeRangeProperties: the node ranges must cover every node from 0 to 4; "
        "node 2 is in none"
    )


# -- DescribeJobDefinitions (§10.11) ------------------------------------------------------------
def _ids(found: list[dict[str, Any]]) -> list[str]:
    return [f"{d['jobDefinitionName']}:{d['revision']}" for d in found]


def test_describe_lists_every_revision_sorted(batch: Any) -> None:
    for name in ("b", "a", "b", "a", "c"):
        register(batch, name)
    batch.deregister_job_definition(jobDefinition="a:1")
    assert _ids(describe(batch)) == ["a:1", "a:2", "b:1", "b:2", "c:1"]
    assert _ids(describe(batch, status="ACTIVE")) == ["a:2", "b:1", "b:2", "c:1"]
    assert _ids(describe(batch, status="INACTIVE")) == ["a:1"]
    assert _ids(describe(batch, jobDefinitionName="a")) == ["a:1", "a:2"]
    assert _ids(describe(batch, jobDefinitionName="a", status="ACTIVE")) == ["a:2"]
    assert describe(batch, jobDefinitionName="zzz") == []


def test_describe_by_list_of_names_and_arns(batch: Any) -> None:
    register(batch, "a")
    register(batch, "a")
    register(batch, "b")
    found = describe(batch, jobDefinitions=["b:1", PREFIX + "a:2", "a:9", "nope:1", "b:1"])
    assert _ids(found) == ["a:2", "b:1"]


def test_describe_list_is_exclusive(batch: Any) -> None:
    register(batch)
    with pytest.raises(
        batch.exceptions.ClientException, match="JobDefinitions and MaxResults cannot both be set"
    ):
        batch.describe_job_definitions(jobDefinitions=["jd:1"], maxResults=5)
    # §21.2 [boto/boto3#2908]: a list with status=ACTIVE works; status filters it
    assert [d["revision"] for d in describe(batch, jobDefinitions=["jd:1"], status="ACTIVE")] == [1]
    assert describe(batch, jobDefinitions=["jd:1"], status="INACTIVE") == []
    with pytest.raises(batch.exceptions.ClientException, match="at most 100"):
        batch.describe_job_definitions(jobDefinitions=[f"jd:{i}" for i in range(101)])


def test_describe_bad_status_and_max_results(batch: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException, match="status"):
        batch.describe_job_definitions(status="GONE")
    with pytest.raises(batch.exceptions.ClientException, match="maxResults"):
        batch.describe_job_definitions(maxResults=101)


def test_describe_paginates_without_repeats_or_losses(batch: Any) -> None:
    for index in range(7):
        register(batch, f"d{index % 3}")
    pages = batch.get_paginator("describe_job_definitions").paginate(
        PaginationConfig={"PageSize": 2}
    )
    seen = [_ids(page["jobDefinitions"]) for page in pages]
    assert all(len(page) <= 2 for page in seen)
    flat = [item for page in seen for item in page]
    assert flat == _ids(describe(batch))
    assert len(flat) == 7


def test_describe_page_survives_a_new_registration(batch: Any) -> None:
    for name in ("a", "c", "e"):
        register(batch, name)
    first = batch.describe_job_definitions(maxResults=2)
    register(batch, "b")  # sorts before the token: must not shift the next page
    second = batch.describe_job_definitions(maxResults=2, nextToken=first["nextToken"])
    assert _ids(first["jobDefinitions"]) == ["a:1", "c:1"]
    assert _ids(second["jobDefinitions"]) == ["e:1"]
    assert "nextToken" not in second


# -- DeregisterJobDefinition (§10.10) -----------------------------------------------------------
def test_deregister_makes_inactive_and_repeats_silently(batch: Any) -> None:
    register(batch)
    batch.deregister_job_definition(jobDefinition="jd:1")
    batch.deregister_job_definition(jobDefinition=PREFIX + "jd:1")
    assert describe(batch)[0]["status"] == "INACTIVE"


@pytest.mark.parametrize("ref", ["jd", PREFIX + "jd"])
def test_deregister_a_bare_name_deregisters_the_latest_active_revision(
    batch: Any, ref: str
) -> None:
    # §21.2 [CLI-EX][BOTO-EX]: AWS's own example deregisters "sleep10"
    for _ in range(3):
        register(batch)
    batch.deregister_job_definition(jobDefinition="jd:3")
    response = batch.deregister_job_definition(jobDefinition=ref)
    assert set(response) == {"ResponseMetadata"}
    assert [d["status"] for d in describe(batch)] == ["ACTIVE", "INACTIVE", "INACTIVE"]


def test_deregister_a_bare_name_option_all() -> None:
    with mock_batch(deregister_bare_name="all") as mock:
        batch = mock.client()
        for _ in range(3):
            register(batch)
        batch.deregister_job_definition(jobDefinition="jd")
        assert [d["status"] for d in describe(batch)] == ["INACTIVE"] * 3
        with pytest.raises(batch.exceptions.ClientException, match="JobDefinition jd not found."):
            batch.deregister_job_definition(jobDefinition="jd")


def test_deregister_unknown_is_an_error(batch: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException, match="not found"):
        batch.deregister_job_definition(jobDefinition="ghost:1")


def test_rejected_registration_changes_nothing(batch: Any) -> None:
    register(batch)
    rejects(batch, "timeout", timeout={"attemptDurationSeconds": 1})
    assert register(batch)["revision"] == 2
    assert len(describe(batch)) == 2


# -- resolve (§3.6) -----------------------------------------------------------------------------
def test_resolve_references(mock: BatchMock, batch: Any) -> None:
    for _ in range(3):
        register(batch)
    batch.deregister_job_definition(jobDefinition="jd:3")
    backend = mock.backend()

    def rev(ref: str) -> int | None:
        found = jds.resolve(backend, ref)
        return None if found is None else found.revision

    assert rev("jd") == 2  # latest ACTIVE, not the INACTIVE 3
    assert rev("jd:1") == 1
    assert rev("jd:3") is None  # an INACTIVE revision named explicitly
    assert rev(PREFIX + "jd:2") == 2
    assert rev(PREFIX + "jd") == 2
    assert rev("jd:9") is None
    assert rev("ghost") is None
    assert rev("jd:x") is None
    assert rev("arn:aws:batch:eu-west-1:123456789012:job-definition/jd:1") is None
    batch.deregister_job_definition(jobDefinition="jd:1")
    batch.deregister_job_definition(jobDefinition="jd:2")
    assert rev("jd") is None


def test_job_definition_tags_are_per_revision(batch: Any) -> None:
    arn = register(batch, tags={"a": "1"})["jobDefinitionArn"]
    batch.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    assert describe(batch)[0]["tags"] == {"a": "1", "b": "2"}
