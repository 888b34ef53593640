"""SubmitJob through boto3: validation, what is stored, and the effective properties (§2.6, §11)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchmock import mock_batch
from tests.support import documented_number, make_env, make_job_definition, make_queue, model_trait

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def env(batch: Any) -> Any:
    """A client with compute environment ``ce``, queue ``q`` and job definition ``jd``."""
    make_env(batch)
    return batch


def submit(batch: Any, **kwargs: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"jobName": "j", "jobQueue": "q", "jobDefinition": "jd"}
    params.update(kwargs)
    result: dict[str, Any] = batch.submit_job(**params)
    return result


def describe(batch: Any, job_id: str) -> dict[str, Any]:
    jobs = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert len(jobs) == 1
    job: dict[str, Any] = jobs[0]
    return job


def rejected(batch: Any, match: str, **kwargs: Any) -> str:
    """Submit, expect a ClientException whose message contains ``match``; return the message."""
    with pytest.raises(ClientError) as info:
        submit(batch, **kwargs)
    error = info.value.response["Error"]
    assert error["Code"] == "ClientException"
    assert match in error["Message"], error["Message"]
    return str(error["Message"])


def all_jobs(batch: Any, queue: str = "q") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = batch.list_jobs(
        jobQueue=queue, filters=[{"name": "JOB_NAME", "values": ["*"]}]
    )["jobSummaryList"]
    return found


# -- the answer and identifiers ----------------------------------------------------------------
def test_submit_returns_arn_name_and_uuid_id(env: Any) -> None:
    result = submit(env, jobName="my-job_1")
    assert UUID.fullmatch(result["jobId"])
    assert result["jobName"] == "my-job_1"
    assert result["jobArn"] == f"arn:aws:batch:us-east-1:123456789012:job/{result['jobId']}"


def test_queue_and_definition_are_shown_as_arns(env: Any) -> None:
    job = describe(env, submit(env)["jobId"])
    assert job["jobQueue"] == "arn:aws:batch:us-east-1:123456789012:job-queue/q"
    assert job["jobDefinition"] == "arn:aws:batch:us-east-1:123456789012:job-definition/jd:1"


def test_queue_and_definition_accept_arns(env: Any) -> None:
    queue_arn = "arn:aws:batch:us-east-1:123456789012:job-queue/q"
    definition_arn = "arn:aws:batch:us-east-1:123456789012:job-definition/jd:1"
    job = describe(env, submit(env, jobQueue=queue_arn, jobDefinition=definition_arn)["jobId"])
    assert job["jobQueue"] == queue_arn
    assert job["jobDefinition"] == definition_arn


NAME_MAX = documented_number(
    "SubmitJob", "jobName", r"up to (\d[\d,]*)"
)  # "It can be up to 128 letters long."
ARRAY_MIN = documented_number("SubmitJob", "arrayProperties", r"between (\d[\d,]*) and")
ARRAY_MAX = documented_number("SubmitJob", "arrayProperties", r"between [\d,]+ and (\d[\d,]*)")
DEPENDENCIES_MAX = documented_number("SubmitJob", "dependsOn", r"maximum of (\d+)")
PRIORITY_MAX = documented_number(
    "SubmitJob", "schedulingPriorityOverride", r"maximum supported value is (\d+)"
)
TAGS_MAX = model_trait("SubmitJob", "tags", "max")


# -- job name (G3) --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["-starts-with-hyphen", "_x", "has space", "dot.name", "x" * (NAME_MAX + 1)]
)
def test_invalid_job_names_are_rejected_with_aws_text(env: Any, name: str) -> None:
    message = rejected(env, "Job name should match valid pattern", jobName=name)
    assert message.startswith("Error executing request, Exception : ")
    assert all_jobs(env) == []


def test_the_longest_name_the_model_allows_is_accepted(env: Any) -> None:
    assert submit(env, jobName="a" * NAME_MAX)["jobName"] == "a" * NAME_MAX


# -- queue and definition ------------------------------------------------------------------------
def test_unknown_queue(env: Any) -> None:
    rejected(env, "JobQueue nope not found.", jobQueue="nope")


def test_disabled_queue_refuses_jobs(env: Any) -> None:
    env.update_job_queue(jobQueue="q", state="DISABLED")
    rejected(env, "JobQueue q is not in ENABLED state", jobQueue="q")


def test_unknown_definition(env: Any) -> None:
    rejected(
        env,
        "JobDefinition name nope does not exist or is not in ACTIVE status",
        jobDefinition="nope",
    )


def test_bare_definition_name_runs_latest_active_revision(env: Any) -> None:
    make_job_definition(env)  # jd:2
    make_job_definition(env)  # jd:3
    env.deregister_job_definition(jobDefinition="jd:3")
    job = describe(env, submit(env)["jobId"])
    assert job["jobDefinition"].endswith("job-definition/jd:2")
    rejected(env, "does not exist or is not in ACTIVE status", jobDefinition="jd:3")


# -- request size ---------------------------------------------------------------------------------
def test_request_over_30_kib_is_rejected(env: Any) -> None:
    big = {f"p{i}": "v" * 1000 for i in range(40)}
    message = rejected(env, "Job size must be less than 30 KiB, got ", parameters=big)
    assert re.search(r"got \d+ KiB, RequestId: ", message)
    assert all_jobs(env) == []


# -- array properties -----------------------------------------------------------------------------
@pytest.mark.parametrize("size", [0, ARRAY_MIN - 1, ARRAY_MAX + 1])
def test_array_size_outside_the_model_range_is_rejected(env: Any, size: int) -> None:
    message = rejected(env, "arrayProperties.size", arrayProperties={"size": size})
    assert f"must be between {ARRAY_MIN} and {ARRAY_MAX}, got {size}, RequestId: " in message


@pytest.mark.parametrize("size", [ARRAY_MIN, ARRAY_MAX])
def test_array_sizes_at_the_model_bounds_make_an_array_job(env: Any, size: int) -> None:
    job = describe(env, submit(env, arrayProperties={"size": size})["jobId"])
    assert job["arrayProperties"]["size"] == size


# -- dependencies ---------------------------------------------------------------------------------
def test_more_dependencies_than_the_model_allows_are_rejected(env: Any) -> None:
    ids = [submit(env)["jobId"] for _ in range(DEPENDENCIES_MAX + 1)]
    rejected(
        env,
        f"maximum is {DEPENDENCIES_MAX}, got {DEPENDENCIES_MAX + 1}",
        dependsOn=[{"jobId": i} for i in ids],
    )
    most = ids[:DEPENDENCIES_MAX]
    job = describe(env, submit(env, dependsOn=[{"jobId": i} for i in most])["jobId"])
    assert [d["jobId"] for d in job["dependsOn"]] == most


def test_unknown_dependency_is_named(env: Any) -> None:
    rejected(env, "dependsOn[0].jobId", dependsOn=[{"jobId": "does-not-exist"}])
    rejected(env, "does-not-exist", dependsOn=[{"jobId": "does-not-exist"}])


def test_untyped_dependency_needs_a_job_id(env: Any) -> None:
    rejected(env, "dependsOn[0].jobId", dependsOn=[{}])


def test_sequential_only_on_arrays_and_without_job_id(env: Any) -> None:
    other = submit(env, arrayProperties={"size": 3})["jobId"]
    rejected(env, "dependsOn[0].type", dependsOn=[{"type": "SEQUENTIAL"}])
    rejected(
        env,
        "dependsOn[0].jobId",
        arrayProperties={"size": 3},
        dependsOn=[{"type": "SEQUENTIAL", "jobId": other}],
    )
    job = describe(
        env, submit(env, arrayProperties={"size": 3}, dependsOn=[{"type": "SEQUENTIAL"}])["jobId"]
    )
    assert job["dependsOn"] == [{"type": "SEQUENTIAL"}]


def test_n_to_n_needs_an_array_of_the_same_size(env: Any) -> None:
    three = submit(env, arrayProperties={"size": 3})["jobId"]
    plain = submit(env)["jobId"]
    rejected(
        env, "N_TO_N", arrayProperties={"size": 4}, dependsOn=[{"jobId": three, "type": "N_TO_N"}]
    )
    rejected(
        env, "N_TO_N", arrayProperties={"size": 3}, dependsOn=[{"jobId": plain, "type": "N_TO_N"}]
    )
    rejected(env, "dependsOn[0].type", dependsOn=[{"jobId": three, "type": "N_TO_N"}])
    job = describe(
        env,
        submit(env, arrayProperties={"size": 3}, dependsOn=[{"jobId": three, "type": "N_TO_N"}])[
            "jobId"
        ],
    )
    assert job["dependsOn"] == [{"jobId": three, "type": "N_TO_N"}]


def test_a_child_job_can_be_a_dependency(env: Any) -> None:
    parent = submit(env, arrayProperties={"size": 2})["jobId"]
    job = describe(env, submit(env, dependsOn=[{"jobId": f"{parent}:1"}])["jobId"])
    assert job["dependsOn"] == [{"jobId": f"{parent}:1"}]


# -- retry strategy and timeout --------------------------------------------------------------------
ATTEMPTS = ("SubmitJob", "retryStrategy.attempts")


@pytest.mark.parametrize(
    "attempts",
    [
        documented_number(*ATTEMPTS, r"between (\d+) and") - 1,
        documented_number(*ATTEMPTS, r"between \d+ and (\d+)") + 1,
    ],
)
def test_retry_attempts_outside_the_model_range_are_rejected(env: Any, attempts: int) -> None:
    rejected(env, "retryStrategy.attempts", retryStrategy={"attempts": attempts})


def test_retry_strategy_replaces_the_definitions_as_a_whole(env: Any) -> None:
    make_job_definition(
        env,
        name="retrying",
        retryStrategy={"attempts": 3, "evaluateOnExit": [{"action": "EXIT", "onExitCode": "1"}]},
    )
    inherited = describe(env, submit(env, jobDefinition="retrying")["jobId"])
    assert inherited["retryStrategy"]["attempts"] == 3
    replaced = describe(
        env, submit(env, jobDefinition="retrying", retryStrategy={"attempts": 5})["jobId"]
    )
    assert replaced["retryStrategy"] == {"attempts": 5, "evaluateOnExit": []}  # §21.1


def test_a_timeout_below_the_model_minimum_is_rejected(env: Any) -> None:
    low = documented_number("SubmitJob", "timeout.attemptDurationSeconds", r"timeout is (\d+) s")
    message = rejected(
        env, "timeout.attemptDurationSeconds", timeout={"attemptDurationSeconds": low - 1}
    )
    assert f"must be at least {low} seconds, got {low - 1}, RequestId: " in message


def test_timeout_replaces_the_definitions(env: Any) -> None:
    make_job_definition(env, name="timed", timeout={"attemptDurationSeconds": 600})
    assert describe(env, submit(env, jobDefinition="timed")["jobId"])["timeout"] == {
        "attemptDurationSeconds": 600
    }
    job = describe(
        env, submit(env, jobDefinition="timed", timeout={"attemptDurationSeconds": 60})["jobId"]
    )
    assert job["timeout"] == {"attemptDurationSeconds": 60}


# -- scheduling priority and share identifier ------------------------------------------------------
def test_scheduling_priority_override(env: Any) -> None:
    make_job_definition(env, name="prio", schedulingPriority=5)
    assert describe(env, submit(env, jobDefinition="prio")["jobId"])["schedulingPriority"] == 5
    job_id = submit(env, jobDefinition="prio", schedulingPriorityOverride=PRIORITY_MAX)["jobId"]
    assert describe(env, job_id)["schedulingPriority"] == PRIORITY_MAX
    rejected(env, "schedulingPriorityOverride", schedulingPriorityOverride=PRIORITY_MAX + 1)


def _fair_share_queue(batch: Any) -> None:
    policy = batch.create_scheduling_policy(name="fs", fairsharePolicy={})["arn"]
    make_queue(batch, name="fair", schedulingPolicyArn=policy)


def test_a_share_identifier_as_long_as_the_model_allows(env: Any) -> None:
    longest = documented_number(
        "SubmitJob", "shareIdentifier", r"limited to (\d+) alphanumeric characters"
    )
    _fair_share_queue(env)
    message = rejected(env, "shareIdentifier", jobQueue="fair", shareIdentifier="a" * (longest + 1))
    assert f"must be up to {longest} alphanumeric characters" in message
    for share in ("a" * longest, "a" * longest + "*"):
        job_id = submit(env, jobQueue="fair", shareIdentifier=share)["jobId"]
        assert describe(env, job_id)["shareIdentifier"] == share


def test_share_identifier_required_exactly_on_fair_share_queues(env: Any) -> None:
    _fair_share_queue(env)
    rejected(env, "shareIdentifier", jobQueue="fair")
    rejected(env, "shareIdentifier", jobQueue="q", shareIdentifier="teamA")
    rejected(env, "shareIdentifier", jobQueue="fair", shareIdentifier="team-a")
    job = describe(env, submit(env, jobQueue="fair", shareIdentifier="teamA")["jobId"])
    assert job["shareIdentifier"] == "teamA"
    assert (
        describe(env, submit(env, jobQueue="fair", shareIdentifier="teamB*")["jobId"])[
            "shareIdentifier"
        ]
        == "teamB*"
    )


# -- tags ------------------------------------------------------------------------------------------
def test_tags_and_propagate_tags_are_stored(env: Any) -> None:
    job_id = submit(env, tags={"team": "a"}, propagateTags=True)["jobId"]
    job = describe(env, job_id)
    assert job["tags"] == {"team": "a"}
    assert job["propagateTags"] is True
    untagged = describe(env, submit(env)["jobId"])
    assert untagged["tags"] == {}  # §21.1
    assert "propagateTags" not in untagged  # absent until set (§21.1 [LOG])
    assert env.list_tags_for_resource(
        resourceArn=f"arn:aws:batch:us-east-1:123456789012:job/{job_id}"
    )["tags"] == {"team": "a"}


def test_propagate_tags_defaults_to_the_definitions(env: Any) -> None:
    make_job_definition(env, name="prop", propagateTags=True)
    assert describe(env, submit(env, jobDefinition="prop")["jobId"])["propagateTags"] is True
    job = describe(env, submit(env, jobDefinition="prop", propagateTags=False)["jobId"])
    assert job["propagateTags"] is False
    assert "propagateTags" not in describe(env, submit(env)["jobId"])


def test_more_tags_than_the_model_allows_are_rejected(env: Any) -> None:
    message = rejected(env, "tags", tags={f"k{i}": "v" for i in range(TAGS_MAX + 1)})
    assert message.endswith(f"Member must have length less than or equal to {TAGS_MAX}")


def test_too_many_propagated_tags_fail_the_job_not_the_request(env: Any) -> None:
    half = TAGS_MAX // 2 + 1  # each part is within the limit, both together are not
    make_job_definition(env, name="tagged", tags={f"d{i}": "v" for i in range(half)})
    job_tags = {f"j{i}": "v" for i in range(half)}
    job_id = submit(env, jobDefinition="tagged", propagateTags=True, tags=job_tags)["jobId"]
    job = describe(env, job_id)
    assert job["status"] == "FAILED"
    assert f"exceed {TAGS_MAX} tags ({2 * half})" in job["statusReason"]
    # the same tags without propagation are fine
    ok = describe(env, submit(env, jobDefinition="tagged", tags=job_tags)["jobId"])
    assert ok["status"] != "FAILED"


# -- parameters and Ref:: substitution -------------------------------------------------------------
def test_parameters_merge_and_substitute_whole_command_elements(env: Any) -> None:
    make_job_definition(
        env,
        name="params",
        parameters={"input": "a.txt", "mode": "fast"},
        containerProperties={
            "command": [
                "run",
                "Ref::input",
                "--mode",
                "Ref::mode",
                "s3://b/Ref::input",
                "Ref::missing",
            ],
            "environment": [{"name": "IN", "value": "Ref::input"}],
        },
    )
    job = describe(env, submit(env, jobDefinition="params", parameters={"input": "b.txt"})["jobId"])
    assert job["parameters"] == {"input": "b.txt", "mode": "fast"}
    assert job["container"]["command"] == [
        "run",
        "b.txt",
        "--mode",
        "fast",
        "s3://b/Ref::input",
        "Ref::missing",
    ]
    # only the command is substituted
    assert job["container"]["environment"] == [{"name": "IN", "value": "Ref::input"}]


def test_substring_substitution_is_an_option() -> None:
    with mock_batch(ref_substitution="substring") as mock:
        batch = mock.client()
        make_env(batch)
        make_job_definition(
            batch,
            name="params",
            parameters={"key": "k1"},
            containerProperties={"command": ["s3://b/Ref::key.txt", "Ref::nope"]},
        )
        job = describe(batch, submit(batch, jobDefinition="params")["jobId"])
        assert job["container"]["command"] == ["s3://b/k1.txt", "Ref::nope"]


def test_overridden_command_is_substituted_too(env: Any) -> None:
    job = describe(
        env,
        submit(env, parameters={"x": "1"}, containerOverrides={"command": ["echo", "Ref::x"]})[
            "jobId"
        ],
    )
    assert job["container"]["command"] == ["echo", "1"]


# -- container overrides (§11.2) -------------------------------------------------------------------
def test_command_override_replaces_and_refuses_empty_strings(env: Any) -> None:
    job = describe(env, submit(env, containerOverrides={"command": ["sleep", "1"]})["jobId"])
    assert job["container"]["command"] == ["sleep", "1"]
    rejected(env, "containerOverrides.command", containerOverrides={"command": ["echo", ""]})


def test_environment_merges_by_name(env: Any) -> None:
    make_job_definition(
        env,
        name="envs",
        containerProperties={
            "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
        },
    )
    job = describe(
        env,
        submit(
            env,
            jobDefinition="envs",
            containerOverrides={
                "environment": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}]
            },
        )["jobId"],
    )
    assert job["container"]["environment"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "20"},
        {"name": "C", "value": "3"},
    ]


def test_reserved_environment_names_are_rejected(env: Any) -> None:
    rejected(
        env,
        "AWS_BATCH",
        containerOverrides={"environment": [{"name": "AWS_BATCH_JOB_ID", "value": "x"}]},
    )


def test_resource_requirements_are_overridden_per_type(env: Any) -> None:
    job = describe(
        env,
        submit(
            env, containerOverrides={"resourceRequirements": [{"type": "MEMORY", "value": "2048"}]}
        )["jobId"],
    )
    assert sorted((r["type"], r["value"]) for r in job["container"]["resourceRequirements"]) == [
        ("MEMORY", "2048"),
        ("VCPU", "1"),
    ]


def test_deprecated_vcpus_against_resource_requirements_is_rejected(env: Any) -> None:
    rejected(
        env,
        "This value was submitted in a deprecated key and may conflict with the value "
        "provided by the job definition's resource requirements.",
        containerOverrides={"vcpus": 2},
    )


def test_deprecated_keys_override_deprecated_keys(env: Any) -> None:
    env.register_job_definition(
        jobDefinitionName="old",
        type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 512},
    )
    job = describe(
        env,
        submit(env, jobDefinition="old", containerOverrides={"vcpus": 2, "memory": 1024})["jobId"],
    )
    assert (job["container"]["vcpus"], job["container"]["memory"]) == (2, 1024)


def test_instance_type_override_only_for_multinode(env: Any) -> None:
    rejected(
        env, "containerOverrides.instanceType", containerOverrides={"instanceType": "c5.large"}
    )


def _fargate(batch: Any) -> None:
    batch.create_compute_environment(
        computeEnvironmentName="fce",
        type="MANAGED",
        computeResources={
            "type": "FARGATE",
            "maxvCpus": 16,
            "subnets": ["subnet-1"],
            "securityGroupIds": ["sg-1"],
        },
    )
    make_queue(batch, name="fq", ce="fce")
    batch.register_job_definition(
        jobDefinitionName="fjd",
        type="container",
        platformCapabilities=["FARGATE"],
        containerProperties={
            "image": "busybox",
            "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
            "resourceRequirements": [
                {"type": "VCPU", "value": "0.25"},
                {"type": "MEMORY", "value": "512"},
            ],
        },
    )


def test_fargate_refuses_deprecated_vcpus_and_bad_pairs(batch: Any) -> None:
    _fargate(batch)
    rejected(
        batch,
        "vcpus is not applicable for Fargate. Use resource requirements instead.",
        jobQueue="fq",
        jobDefinition="fjd",
        containerOverrides={"vcpus": 1},
    )
    rejected(
        batch,
        "Fargate resource requirements (0.25 vCPU, 4096 MiB) not valid.",
        jobQueue="fq",
        jobDefinition="fjd",
        containerOverrides={"resourceRequirements": [{"type": "MEMORY", "value": "4096"}]},
    )
    job = describe(
        batch,
        submit(
            batch,
            jobQueue="fq",
            jobDefinition="fjd",
            containerOverrides={"resourceRequirements": [{"type": "MEMORY", "value": "2048"}]},
        )["jobId"],
    )
    assert job["platformCapabilities"] == ["FARGATE"]


def test_overrides_of_another_kind_of_definition_are_rejected(env: Any) -> None:
    rejected(env, "nodeOverrides", nodeOverrides={"numNodes": 2})
    rejected(env, "eksPropertiesOverride", eksPropertiesOverride={"podProperties": {}})


# -- multi-node overrides (§17.5) ------------------------------------------------------------------
def _multinode(batch: Any, ranges: list[str]) -> None:
    container = {
        "image": "busybox",
        "command": ["mpirun"],
        "resourceRequirements": [
            {"type": "VCPU", "value": "1"},
            {"type": "MEMORY", "value": "512"},
        ],
    }
    batch.register_job_definition(
        jobDefinitionName="mnp",
        type="multinode",
        nodeProperties={
            "numNodes": 4,
            "mainNode": 0,
            "nodeRangeProperties": [
                {"targetNodes": target, "container": container} for target in ranges
            ],
        },
    )


def test_node_override_targets_must_match_the_definition(env: Any) -> None:
    _multinode(env, ["0:0", "1:3"])
    rejected(
        env,
        "NodeOverride targets should match job definition. Non matching targets - 0:1",
        jobDefinition="mnp",
        nodeOverrides={
            "nodePropertyOverrides": [
                {"targetNodes": "0:1", "containerOverrides": {"command": ["x"]}}
            ]
        },
    )
    job = describe(
        env,
        submit(
            env,
            jobDefinition="mnp",
            nodeOverrides={
                "nodePropertyOverrides": [
                    {"targetNodes": "1:3", "containerOverrides": {"command": ["worker"]}}
                ]
            },
        )["jobId"],
    )
    ranges = job["nodeProperties"]["nodeRangeProperties"]
    assert [r["container"]["command"] for r in ranges] == [["mpirun"], ["worker"]]


def test_num_nodes_override_needs_an_open_range(env: Any) -> None:
    _multinode(env, ["0:3"])
    rejected(env, "nodeOverrides.numNodes", jobDefinition="mnp", nodeOverrides={"numNodes": 6})


def test_num_nodes_override_with_an_open_range(batch: Any) -> None:
    make_env(batch)
    _multinode(batch, ["0:0", "1:"])
    job = describe(
        batch, submit(batch, jobDefinition="mnp", nodeOverrides={"numNodes": 6})["jobId"]
    )
    assert job["nodeProperties"]["numNodes"] == 6
    rejected(batch, "nodeOverrides.numNodes", jobDefinition="mnp", nodeOverrides={"numNodes": 1})


def test_rejected_requests_create_no_job(env: Any) -> None:
    rejected(
        env,
        "N_TO_N",
        arrayProperties={"size": 3},
        dependsOn=[{"jobId": submit(env)["jobId"], "type": "N_TO_N"}],
    )
    rejected(env, "containerOverrides.command", containerOverrides={"command": [""]})
    assert len(all_jobs(env)) == 1


# -- ECS multi-container and EKS overrides (§11.7) ---------------------------------------------
def _ecs(batch: Any) -> None:
    rr = [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "512"}]
    batch.register_job_definition(
        jobDefinitionName="ecs",
        type="container",
        ecsProperties={
            "taskProperties": [
                {
                    "containers": [
                        {
                            "name": "main",
                            "image": "busybox",
                            "command": ["main", "Ref::p"],
                            "environment": [{"name": "A", "value": "1"}],
                            "resourceRequirements": rr,
                        },
                        {
                            "name": "side",
                            "image": "busybox",
                            "essential": False,
                            "command": ["side"],
                        },
                    ]
                }
            ]
        },
    )


def test_ecs_override_applies_by_container_name(env: Any) -> None:
    _ecs(env)
    job = describe(
        env,
        submit(
            env,
            jobDefinition="ecs",
            parameters={"p": "v"},
            ecsPropertiesOverride={
                "taskProperties": [
                    {
                        "containers": [
                            {
                                "name": "side",
                                "command": ["other"],
                                "environment": [{"name": "B", "value": "2"}],
                            }
                        ]
                    }
                ]
            },
        )["jobId"],
    )
    main, side = job["ecsProperties"]["taskProperties"][0]["containers"]
    assert main["command"] == ["main", "v"]
    assert side["command"] == ["other"]
    assert side["environment"] == [{"name": "B", "value": "2"}]
    assert "container" not in job


def test_ecs_override_rules(env: Any) -> None:
    _ecs(env)
    rejected(
        env,
        "containers[0].name",
        jobDefinition="ecs",
        ecsPropertiesOverride={
            "taskProperties": [{"containers": [{"name": "nope", "command": ["x"]}]}]
        },
    )
    rejected(
        env,
        "containers[0].name",
        jobDefinition="ecs",
        ecsPropertiesOverride={"taskProperties": [{"containers": [{"command": ["x"]}]}]},
    )
    rejected(
        env,
        "AWS_BATCH",
        jobDefinition="ecs",
        ecsPropertiesOverride={
            "taskProperties": [
                {
                    "containers": [
                        {"name": "main", "environment": [{"name": "AWS_BATCH_X", "value": "1"}]}
                    ]
                }
            ]
        },
    )
    rejected(env, "containerOverrides", jobDefinition="ecs", containerOverrides={"command": ["x"]})


def test_a_queue_allows_the_active_share_identifiers_the_model_says() -> None:
    most = documented_number(
        "CreateSchedulingPolicy",
        "fairsharePolicy.shareDistribution.member.shareIdentifier",
        r"no more than (\d+) share identifiers active",
    )
    with mock_batch(auto_advance=False) as still:
        batch = still.client()
        make_env(batch)
        _fair_share_queue(batch)
        for i in range(most):
            submit(batch, jobQueue="fair", shareIdentifier=f"s{i}")
        one_more = f"s{most}"
        rejected(
            batch, f"{most} active share identifiers", jobQueue="fair", shareIdentifier=one_more
        )
        submit(batch, jobQueue="fair", shareIdentifier=f"s{most - 1}")  # already active: fine
        still.run_until_idle()
        submit(batch, jobQueue="fair", shareIdentifier=one_more)  # the others are done now
