"""The JavaScript AWS SDK v3 (``@aws-sdk/client-batch``, run with node) against the server."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from batchmock.server import ThreadedServer

SCRIPT = r"""
const batch = require("@aws-sdk/client-batch");

const endpoint = process.argv[2];
const client = new batch.BatchClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
});
const send = async (name, input) => {
  const { $metadata, ...output } = await client.send(new batch[name + "Command"](input));
  return output;
};
const control = async (path, body) => {
  const response = await fetch(endpoint + "/_batchmock/" + path, {
    method: "POST",
    body: body === undefined ? "" : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(path + ": " + (await response.text()));
  return response.json();
};
const failure = async (name, input) => {
  try {
    await send(name, input);
    return null;
  } catch (e) {
    return {
      name: e.name,
      typed: e instanceof batch.ClientException,
      fault: e.$fault,
      status: e.$metadata && e.$metadata.httpStatusCode,
      message: e.message,
    };
  }
};

async function main() {
  const out = {};
  out.ce = await send("CreateComputeEnvironment", {
    computeEnvironmentName: "ce",
    type: "MANAGED",
    computeResources: {
      type: "EC2", maxvCpus: 16, minvCpus: 0, subnets: ["subnet-1"],
      securityGroupIds: ["sg-1"], instanceRole: "ecsInstanceRole", instanceTypes: ["optimal"],
    },
  });
  out.queue = await send("CreateJobQueue", {
    jobQueueName: "q", priority: 1,
    computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }],
  });
  out.definition = await send("RegisterJobDefinition", {
    jobDefinitionName: "jd", type: "container",
    containerProperties: {
      image: "busybox", command: ["echo", "hello"],
      resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "512" }],
    },
  });
  await control("outcomes", [{ match: { jobName: "long" }, duration: 3600 }]);
  const ids = {};
  for (const name of ["doomed", "long", "quick"]) {
    const job = await send("SubmitJob", { jobName: name, jobQueue: "q", jobDefinition: "jd" });
    ids[name] = job.jobId;
  }
  out.ids = ids;
  out.submitted = await send("ListJobs", { jobQueue: "q", jobStatus: "SUBMITTED" });
  await send("CancelJob", { jobId: ids.doomed, reason: "no longer needed" });
  await control("advance", { seconds: 60 });
  out.running = await send("ListJobs", { jobQueue: "q", jobStatus: "RUNNING" });
  await send("TerminateJob", { jobId: ids.long, reason: "stopped by the test" });
  await control("run-until-idle");
  out.described = await send("DescribeJobs", { jobs: Object.values(ids) });

  const resourceArn = out.queue.jobQueueArn;
  await send("TagResource", { resourceArn, tags: { team: "a", env: "test" } });
  await send("UntagResource", { resourceArn, tagKeys: ["env"] });
  out.tags = await send("ListTagsForResource", { resourceArn });

  out.missingCe = await failure("CreateJobQueue", {
    jobQueueName: "q2", priority: 1,
    computeEnvironmentOrder: [{ order: 1, computeEnvironment: "missing" }],
  });
  out.badRetry = await failure("SubmitJob", {
    jobName: "x", jobQueue: "q", jobDefinition: "jd", retryStrategy: { attempts: 11 },
  });
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
"""


@pytest.fixture(scope="session")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with @aws-sdk/client-batch installed (once per session).

    Without node and npm the test skips; with them, a failed install fails it (a skip would hide
    a broken setup in CI, where npm is present).
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the JavaScript SDK test (not found on PATH)")
    folder = tmp_path_factory.mktemp("js-sdk")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
             "@aws-sdk/client-batch"],
            cwd=folder, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("npm install @aws-sdk/client-batch took over 10 minutes", pytrace=False)
    if done.returncode != 0:
        pytest.fail(
            f"npm install @aws-sdk/client-batch failed: {done.stderr.strip()[-500:]}",
            pytrace=False,
        )
    (folder / "batch_calls.js").write_text(SCRIPT)
    return folder


@pytest.fixture(scope="module")
def results(sdk_dir: Path) -> Iterator[dict[str, Any]]:
    """What the node script saw, run once against a fresh server."""
    node = shutil.which("node")
    assert node is not None
    with ThreadedServer(auto_advance=False) as server:
        done = subprocess.run(
            [node, "batch_calls.js", server.endpoint_url],
            cwd=sdk_dir, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        yield json.loads(done.stdout)


def test_control_plane_calls(results: dict[str, Any]) -> None:
    assert results["ce"]["computeEnvironmentArn"] == (
        "arn:aws:batch:us-east-1:123456789012:compute-environment/ce"
    )
    assert results["queue"] == {
        "jobQueueName": "q",
        "jobQueueArn": "arn:aws:batch:us-east-1:123456789012:job-queue/q",
    }
    assert results["definition"]["revision"] == 1
    assert results["tags"] == {"tags": {"team": "a"}}


def test_jobs_submitted_listed_cancelled_terminated_and_described(
    results: dict[str, Any],
) -> None:
    ids = results["ids"]
    assert sorted(job["jobName"] for job in results["submitted"]["jobSummaryList"]) == [
        "doomed",
        "long",
        "quick",
    ]
    assert [job["jobId"] for job in results["running"]["jobSummaryList"]] == [ids["long"]]
    by_name = {job["jobName"]: job for job in results["described"]["jobs"]}
    assert {name: job["status"] for name, job in by_name.items()} == {
        "doomed": "FAILED",
        "long": "FAILED",
        "quick": "SUCCEEDED",
    }
    assert by_name["doomed"]["statusReason"] == "no longer needed"
    assert by_name["long"]["statusReason"] == "stopped by the test"


def test_bad_input_raises_a_typed_client_exception(results: dict[str, Any]) -> None:
    for failure in (results["missingCe"], results["badRetry"]):
        assert failure["name"] == "ClientException"
        assert failure["typed"] is True
        assert failure["fault"] == "client"
        assert failure["status"] == 400
    assert "missing" in results["missingCe"]["message"]
    assert "attempts" in results["badRetry"]["message"]
