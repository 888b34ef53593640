"""What a job finds inside its container on every real executor: the ECS variables, the task
metadata and credential endpoints, a fresh filesystem, and multi-node jobs whose nodes talk.

``test_local.py`` and ``test_docker.py`` run each check with their :class:`Flavour`.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest

from batchmock import BatchMock
from tests.executors.scenarios import Flavour, describe, environment, submit, wait_until

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/worker"
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/exec"

ECS_ENV_SCRIPT = (
    "import json, os\n"
    "print(json.dumps({k: v for k, v in os.environ.items()"
    " if k.startswith(('AWS_', 'ECS_'))}), flush=True)\n"
)


def fargate_environment(batch: Any) -> None:
    """A Fargate compute environment ``fce`` and its queue ``fq``."""
    batch.create_compute_environment(
        computeEnvironmentName="fce",
        type="MANAGED",
        computeResources={
            "type": "FARGATE",
            "maxvCpus": 4,
            "subnets": ["subnet-1"],
            "securityGroupIds": ["sg-1"],
        },
    )
    batch.create_job_queue(
        jobQueueName="fq",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "fce"}],
    )


def _printed(mock: BatchMock, job_id: str) -> dict[str, Any]:
    lines = mock.logs(job_id)
    assert lines, f"job {job_id} printed nothing"
    found: dict[str, Any] = json.loads(lines[-1])
    return found


def check_ecs_environment(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """AWS_EXECUTION_ENV by platform, the metadata URIs, and credentials by role or by keys."""
    environment(batch)
    fargate_environment(batch)
    flavour.definition(batch, "plain", ECS_ENV_SCRIPT)
    flavour.definition(batch, "role", ECS_ENV_SCRIPT, jobRoleArn=ROLE)
    flavour.definition(
        batch,
        "serverless",
        ECS_ENV_SCRIPT,
        platformCapabilities=["FARGATE"],
        executionRoleArn=EXEC_ROLE,
        jobRoleArn=ROLE,
        resourceRequirements=[
            {"type": "VCPU", "value": "0.25"},
            {"type": "MEMORY", "value": "512"},
        ],
    )
    plain, role = submit(batch, "plain"), submit(batch, "role")
    serverless = submit(batch, "serverless", jobQueue="fq")
    mock.run_until_idle()
    seen = {}
    for job_id in (plain, role, serverless):
        detail = describe(batch, job_id)
        assert detail["status"] == "SUCCEEDED", (detail.get("statusReason"), mock.logs(job_id))
        seen[job_id] = _printed(mock, job_id)
    server = seen[plain]["AWS_ENDPOINT_URL"]
    assert server.startswith("http://127.0.0.1:")
    for job_id, platform in ((plain, "EC2"), (role, "EC2"), (serverless, "FARGATE")):
        env = seen[job_id]
        assert env["AWS_EXECUTION_ENV"] == f"AWS_ECS_{platform}"
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
        v4, v3 = env["ECS_CONTAINER_METADATA_URI_V4"], env["ECS_CONTAINER_METADATA_URI"]
        assert v4.startswith(f"{server}/_batchmock/ecs/v4/")
        assert v3 == v4.replace("/v4/", "/v3/")
        assert ("ECS_AGENT_URI" in env) == (platform == "FARGATE")
        assert "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" not in env
    # without a role: fake keys naming the account (the instance role's stand-in)
    assert seen[plain]["AWS_ACCESS_KEY_ID"] == ACCOUNT
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in seen[plain]
    # with one: no keys at all, the credentials endpoint and its token instead
    for job_id in (role, serverless):
        env = seen[job_id]
        assert "AWS_ACCESS_KEY_ID" not in env
        assert "AWS_SECRET_ACCESS_KEY" not in env
        assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith(
            f"{server}/_batchmock/ecs/credentials/"
        )
        assert len(env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) >= 32
    tokens = {seen[job_id]["AWS_CONTAINER_AUTHORIZATION_TOKEN"] for job_id in (role, serverless)}
    assert len(tokens) == 2  # one per attempt


PROGRAM = r"""
import json, os, urllib.error, urllib.request
import boto3

# 1. who am I: the task metadata endpoint
uri = os.environ["ECS_CONTAINER_METADATA_URI_V4"]
with urllib.request.urlopen(uri + "/task") as answer:
    task = json.load(answer)
with urllib.request.urlopen(uri) as answer:
    container = json.load(answer)

# 2. credentials: from the container credentials endpoint only
assert "AWS_ACCESS_KEY_ID" not in os.environ and "AWS_SECRET_ACCESS_KEY" not in os.environ
credentials = boto3.Session().get_credentials().get_frozen_credentials()
method = boto3.Session().get_credentials().method
statuses = {}
for name, token in (("none", None), ("wrong", "not-the-token")):
    request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
    if token:
        request.add_header("Authorization", token)
    try:
        urllib.request.urlopen(request)
        statuses[name] = 200
    except urllib.error.HTTPError as error:
        statuses[name] = error.code

# 3. the work: read the input, write the result
s3 = boto3.client("s3")
text = s3.get_object(Bucket="data", Key="input.txt")["Body"].read().decode()
result = {"words": len(text.split()), "task": task["TaskARN"]}
s3.put_object(Bucket="data", Key="output.json", Body=json.dumps(result).encode())

print(json.dumps({
    "task": task, "container": container, "method": method,
    "credentials": [credentials.access_key, credentials.secret_key, credentials.token],
    "statuses": statuses, "uri": uri,
}), flush=True)
"""


def check_metadata_and_role_credentials(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """A multi-step job reads its task metadata and uses S3 with the role's credentials only;
    what the metadata says is what DescribeJobs says of the attempt."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="input.txt", Body=b"one two three")
    environment(batch)
    flavour.definition(batch, "program", PROGRAM, jobRoleArn=ROLE)
    job_id = submit(batch, "program")
    mock.run_until_idle()
    detail = describe(batch, job_id)
    assert detail["status"] == "SUCCEEDED", (detail.get("statusReason"), mock.logs(job_id))
    seen = _printed(mock, job_id)
    container = detail["container"]
    task_arn = container["taskArn"]
    cluster = task_arn.split(":task/")[1].split("/")[0]
    cluster_arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{cluster}"
    assert cluster_arn.split("/")[1] == container["containerInstanceArn"].split("/")[1]
    assert seen["method"] == "container-role"
    access_key, secret_key, token = seen["credentials"]
    assert access_key == ACCOUNT  # moto's and batchmock's convention: the key names the account
    assert "worker" in secret_key
    assert ROLE in token
    assert seen["statuses"] == {"none": 401, "wrong": 401}
    task = seen["task"]
    assert set(task) == {
        "Cluster",
        "TaskARN",
        "Family",
        "Revision",
        "DesiredStatus",
        "KnownStatus",
        "Limits",
        "PullStartedAt",
        "PullStoppedAt",
        "AvailabilityZone",
        "LaunchType",
        "Containers",
    }
    assert task["Cluster"] == cluster_arn
    assert task["TaskARN"] == task_arn
    assert (task["Family"], task["Revision"]) == ("program", "1")
    assert task["DesiredStatus"] == task["KnownStatus"] == "RUNNING"
    assert task["Limits"] == {"CPU": 1.0, "Memory": 256}
    assert task["AvailabilityZone"] == "us-east-1a"
    assert task["LaunchType"] == "EC2"
    assert task["Containers"] == [seen["container"]]
    me = seen["container"]
    assert me["Name"] == "default"
    assert me["Image"] == flavour.image
    assert me["Limits"] == {"CPU": 1024, "Memory": 256}
    assert me["KnownStatus"] == "RUNNING"
    assert me["LogDriver"] == "awslogs"
    assert me["LogOptions"] == {
        "awslogs-group": "/aws/batch/job",
        "awslogs-region": "us-east-1",
        "awslogs-stream": container["logStreamName"],
    }
    assert me["Labels"] == {
        "com.amazonaws.ecs.cluster": cluster_arn,
        "com.amazonaws.ecs.container-name": "default",
        "com.amazonaws.ecs.task-arn": task_arn,
        "com.amazonaws.ecs.task-definition-family": "program",
        "com.amazonaws.ecs.task-definition-version": "1",
    }
    assert me["ContainerARN"].startswith(
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:container/{cluster}/{task_arn.rsplit('/', 1)[1]}/"
    )
    assert me["Networks"] == [{"NetworkMode": "host", "IPv4Addresses": ["127.0.0.1"]}]
    output = json.loads(s3.get_object(Bucket="data", Key="output.json")["Body"].read())
    assert output == {"words": 3, "task": task_arn}
    # the attempt has ended: its endpoints are gone
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(seen["uri"] + "/task")
    assert gone.value.code == 404


METAFLOW_STEP = (
    "import os, sys\n"
    "print('execution env', os.environ['AWS_EXECUTION_ENV'], flush=True)\n"
    "os.mkdir('metaflow')  # fails if a previous attempt's folder is still here\n"
    "open(os.path.join('metaflow', 'step.log'), 'w').write('x')\n"
    "sys.exit(1 if os.environ['AWS_BATCH_JOB_ATTEMPT'] == '1' else 0)\n"
)


def check_metaflow_step(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """What broke Metaflow's @batch steps: AWS_EXECUTION_ENV is read, and a retried attempt's
    ``mkdir metaflow`` finds a fresh filesystem."""
    environment(batch)
    flavour.definition(batch, "step", METAFLOW_STEP, retryStrategy={"attempts": 2})
    job_id = submit(batch, "step")
    mock.run_until_idle()
    detail = describe(batch, job_id)
    assert detail["status"] == "SUCCEEDED", (detail.get("statusReason"), mock.logs(job_id))
    assert [a["container"]["exitCode"] for a in detail["attempts"]] == [1, 0]
    assert mock.logs(job_id) == ["execution env AWS_ECS_EC2"] * 2


NODE = r"""
import json, os, signal, socket, sys, time, urllib.request

signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
index = int(os.environ["AWS_BATCH_JOB_NODE_INDEX"])
main = int(os.environ["AWS_BATCH_JOB_MAIN_NODE_INDEX"])
nodes = int(os.environ["AWS_BATCH_JOB_NUM_NODES"])
port = int(os.environ["MAIN_PORT"])
if index == main:
    assert "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS" not in os.environ
    with urllib.request.urlopen(os.environ["ECS_CONTAINER_METADATA_URI_V4"]) as answer:
        own = json.load(answer)["Networks"][0]["IPv4Addresses"][0]
    server = socket.create_server((own, port))
    server.settimeout(60)
    heard = []
    for _ in range(nodes - 1):
        conn, _ = server.accept()
        with conn:
            heard.append(conn.recv(64).decode())
    print("main on", own, "heard", " ".join(sorted(heard)), flush=True)
    if os.environ["NODE1"] == "quick":  # the job ends with the main node: let the others end
        import boto3
        batch = boto3.client("batch")
        job = os.environ["AWS_BATCH_JOB_ID"].split("#")[0]
        others = [f"{job}#{i}" for i in range(nodes) if i != main]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = batch.describe_jobs(jobs=others)["jobs"]
            if all(j["status"] in ("SUCCEEDED", "FAILED") for j in found):
                break
            time.sleep(0.05)
    sys.exit(int(os.environ["MAIN_EXIT"]))
address = os.environ["AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"]
deadline = time.monotonic() + 60
while True:
    try:
        with socket.create_connection((address, port), timeout=5) as conn:
            conn.sendall(f"node{index}".encode())
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.05)
print(f"node {index} reached {address}", flush=True)
if index == 1 and os.environ["NODE1"] == "linger":
    time.sleep(300)  # stopped when the main node ends the job
sys.exit(3 if index == 2 else 0)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _multinode(batch: Any, flavour: Flavour, name: str, nodes: int, **env: str) -> str:
    variables = [{"name": key, "value": value} for key, value in env.items()]
    variables.append({"name": "MAIN_PORT", "value": str(_free_port())})
    batch.register_job_definition(
        jobDefinitionName=name,
        type="multinode",
        nodeProperties={
            "numNodes": nodes,
            "mainNode": 0,
            "nodeRangeProperties": [
                {"targetNodes": "0:", "container": flavour.properties(NODE, environment=variables)}
            ],
        },
    )
    return submit(batch, name)


def check_multinode(mock: BatchMock, batch: Any, flavour: Flavour) -> None:
    """Every node runs on its own with its node variables, reaches the main node at the
    address it is given, and the main node decides the job (§17.6-17.7)."""
    environment(batch)
    # a non-main node that fails alone leaves the job alone
    carries_on = _multinode(batch, flavour, "carries-on", 3, MAIN_EXIT="0", NODE1="quick")
    mock.run_until_idle()
    detail = describe(batch, carries_on)
    assert detail["status"] == "SUCCEEDED", (detail.get("statusReason"), mock.logs(carries_on))
    assert [a["container"]["exitCode"] for a in detail["attempts"]] == [0]
    nodes = [describe(batch, f"{carries_on}#{i}") for i in range(3)]
    assert [n["status"] for n in nodes] == ["SUCCEEDED", "SUCCEEDED", "FAILED"]
    assert [n["container"]["exitCode"] for n in nodes] == [0, 0, 3]
    for index, node in enumerate(nodes):
        assert node["nodeDetails"] == {"nodeIndex": index, "isMainNode": index == 0}
        assert node["container"]["networkInterfaces"] == [{"privateIpv4Address": "127.0.0.1"}]
    assert mock.logs(f"{carries_on}#0") == ["main on 127.0.0.1 heard node1 node2"]
    assert mock.logs(f"{carries_on}#1") == ["node 1 reached 127.0.0.1"]
    assert mock.logs(f"{carries_on}#2") == ["node 2 reached 127.0.0.1"]
    # the main node's failure fails the job, and the nodes still running are stopped
    ends = _multinode(batch, flavour, "main-fails", 2, MAIN_EXIT="4", NODE1="linger")
    mock.run_until_idle()
    detail = describe(batch, ends)
    assert detail["status"] == "FAILED"
    assert [a["container"]["exitCode"] for a in detail["attempts"]] == [4]
    lingering = describe(batch, f"{ends}#1")
    assert lingering["status"] == "FAILED"
    assert mock.logs(f"{ends}#1") == ["node 1 reached 127.0.0.1"]


WHO_AM_I = (
    "import json, os, signal, sys, time, urllib.request\n"
    "signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))\n"
    "with urllib.request.urlopen(os.environ['ECS_CONTAINER_METADATA_URI_V4']) as answer:\n"
    "    print(json.load(answer)['DockerId'], flush=True)\n"
    "time.sleep(300)\n"
)


def check_docker_id(mock: BatchMock, batch: Any, flavour: Flavour, engine: Any) -> None:
    """The container metadata's DockerId is the id of the job's own container."""
    environment(batch)
    flavour.definition(batch, "whoami", WHO_AM_I)
    job_id = submit(batch, "whoami")
    wait_until(
        lambda: mock.logs(job_id), "the container's id", poll=lambda: describe(batch, job_id)
    )
    docker_id = mock.logs(job_id)[0]
    labels = engine.containers.get(docker_id).labels
    assert labels["batchmock.job-id"] == job_id
    batch.terminate_job(jobId=job_id, reason="seen")
    mock.run_until_idle()
    assert describe(batch, job_id)["status"] == "FAILED"
