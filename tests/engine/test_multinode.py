"""Multi-node parallel jobs through boto3 (§17, §7.11, §8.3, §9.2)."""

from __future__ import annotations

from typing import Any

from batchmock import mock_batch
from batchmock.executors.base import AttemptContext, Outcome
from tests.engine.helpers import describe, setup, status, statuses, submit


def _register(batch: Any, nodes: int = 3, main: int = 0, **kwargs: Any) -> None:
    batch.register_job_definition(
        jobDefinitionName="mnp",
        type="multinode",
        nodeProperties={
            "numNodes": nodes,
            "mainNode": main,
            "nodeRangeProperties": [
                {
                    "targetNodes": "0:",
                    "container": {
                        "image": "busybox",
                        "command": ["work"],
                        "resourceRequirements": [
                            {"type": "VCPU", "value": "2"},
                            {"type": "MEMORY", "value": "256"},
                        ],
                    },
                }
            ],
        },
        **kwargs,
    )


def _nodes(job_id: str, count: int = 3) -> list[str]:
    return [f"{job_id}#{i}" for i in range(count)]


def test_main_node_starts_first_then_the_others() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=16)
        _register(batch)
        envs: dict[int, dict[str, str]] = {}

        @mock.on_job(job_definition="mnp")
        def node(attempt: AttemptContext) -> Outcome:
            assert attempt.node_index is not None
            envs[attempt.node_index] = attempt.env
            return Outcome(exit_code=0, duration=10 if attempt.is_main_node else 5)

        job_id = submit(batch, name="mnp", definition="mnp")
        mock.advance(2)  # placed: the main node is STARTING, the others wait
        assert statuses(batch, job_id, *_nodes(job_id)) == [
            "STARTING",
            "STARTING",
            "RUNNABLE",
            "RUNNABLE",
        ]
        mock.advance(1)  # main RUNNING: the job is RUNNING, the others start
        assert statuses(batch, job_id, *_nodes(job_id)) == [
            "RUNNING",
            "RUNNING",
            "STARTING",
            "STARTING",
        ]
        mock.run_until_idle()
        assert statuses(batch, job_id, *_nodes(job_id)) == ["SUCCEEDED"] * 4
        main = describe(batch, f"{job_id}#0")
        assert main["nodeDetails"] == {"nodeIndex": 0, "isMainNode": True}
        parent = describe(batch, job_id)
        assert (parent["startedAt"], parent["stoppedAt"]) == (main["startedAt"], main["stoppedAt"])
    assert envs[0]["AWS_BATCH_JOB_NODE_INDEX"] == "0"
    assert envs[0]["AWS_BATCH_JOB_NUM_NODES"] == "3"
    assert envs[0]["AWS_BATCH_JOB_MAIN_NODE_INDEX"] == "0"
    assert "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS" not in envs[0]
    assert (
        envs[2]["AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"]
        == envs[1]["AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"]
    )
    assert envs[2]["AWS_BATCH_JOB_ID"] == f"{job_id}#2"


def test_the_job_ends_with_the_main_node() -> None:
    rules = [
        {"match": {"nodeIndex": 0}, "duration": 10, "exitCode": 3},
        {"match": {}, "duration": 1000},
    ]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=16)
        _register(batch)
        job_id = submit(batch, name="mnp", definition="mnp")
        mock.run_until_idle()
        assert statuses(batch, job_id, *_nodes(job_id)) == ["FAILED"] * 4
        parent = describe(batch, job_id)
        assert parent["attempts"][0]["container"]["exitCode"] == 3
        # the other nodes were stopped when the main node exited
        assert describe(batch, f"{job_id}#1")["stoppedAt"] == parent["stoppedAt"]


def test_a_non_main_node_failing_alone_leaves_the_job_running() -> None:
    rules = [
        {"match": {"nodeIndex": 1}, "duration": 1, "exitCode": 9},
        {"match": {}, "duration": 50},
    ]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=16)
        _register(batch)
        job_id = submit(batch, name="mnp", definition="mnp")
        mock.advance(10)
        assert statuses(batch, job_id, f"{job_id}#1") == ["RUNNING", "FAILED"]
        mock.run_until_idle()
        assert statuses(batch, job_id, f"{job_id}#0", f"{job_id}#1") == [
            "SUCCEEDED",
            "SUCCEEDED",
            "FAILED",
        ]


def test_main_node_failure_retries_the_whole_job() -> None:
    rules = [{"match": {"nodeIndex": 0, "attempt": 1}, "exitCode": 1}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=16)
        _register(batch, retryStrategy={"attempts": 2})
        job_id = submit(batch, name="mnp", definition="mnp")
        mock.run_until_idle()
        parent = describe(batch, job_id)
        assert parent["status"] == "SUCCEEDED"
        assert [a["container"]["exitCode"] for a in parent["attempts"]] == [1, 0]
        assert len(describe(batch, f"{job_id}#2")["attempts"]) == 2


def test_the_job_needs_room_for_every_node() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=4)  # 3 nodes x 2 vCPUs do not fit
        _register(batch)
        job_id = submit(batch, name="mnp", definition="mnp")
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert job["status"] == "RUNNABLE"
        assert job["statusReason"].startswith("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")


def test_timeout_covers_the_whole_job() -> None:
    rules = [{"match": {}, "duration": 1000}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=16)
        _register(batch, timeout={"attemptDurationSeconds": 60})
        job_id = submit(batch, name="mnp", definition="mnp")
        mock.run_until_idle()
        parent = describe(batch, job_id)
        assert parent["status"] == "FAILED"
        assert parent["statusReason"] == "Job attempt duration exceeded timeout"
        assert parent["stoppedAt"] - parent["startedAt"] == 60_000
        assert status(batch, f"{job_id}#2") == "FAILED"


def test_terminate_and_cancel() -> None:
    rules = [{"match": {}, "duration": 1000}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=16)
        _register(batch)
        running = submit(batch, name="mnp", definition="mnp")
        mock.advance(10)
        batch.cancel_job(jobId=running, reason="ignored")  # §16.4
        assert status(batch, running) == "RUNNING"
        batch.terminate_job(jobId=running, reason="stop all")
        assert statuses(batch, running, *_nodes(running)) == ["FAILED"] * 4
        assert describe(batch, running)["statusReason"] == "stop all"
        queued = submit(batch, name="mnp", definition="mnp")
        batch.cancel_job(jobId=queued, reason="never mind")
        mock.run_until_idle()
        assert status(batch, queued) == "FAILED"


def test_list_jobs_by_multi_node_job_id() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=16)
        _register(batch)
        job_id = submit(batch, name="mnp", definition="mnp")
        mock.run_until_idle()
        listed = batch.list_jobs(multiNodeJobId=job_id, jobStatus="SUCCEEDED")["jobSummaryList"]
        assert [j["jobId"] for j in listed] == _nodes(job_id)
