"""Run by .ci/run with pytest in a venv holding only the installed batchmock: the plugin's
``batch_mock`` fixture (entry point ``pytest11``) must be there without any conftest."""

from __future__ import annotations

from typing import Any


def test_batch_mock_fixture_runs_a_job(batch_mock: Any, batch_client: Any) -> None:
    batch_client.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
    batch_client.create_job_queue(
        jobQueueName="q",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
    )
    batch_client.register_job_definition(
        jobDefinitionName="jd",
        type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 128, "command": ["true"]},
    )
    job_id = batch_client.submit_job(jobName="j", jobQueue="q", jobDefinition="jd")["jobId"]
    batch_mock.run_until_idle()
    assert batch_client.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "SUCCEEDED"
