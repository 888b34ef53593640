"""The control API under /_batchmock/: reset, advance, run-until-idle, outcomes and state."""

from __future__ import annotations

from typing import Any

import pytest

from batchmock.server import ThreadedServer
from tests.server.helpers import call, call_json, client
from tests.support import make_env


def _submit(server: ThreadedServer, *names: str) -> list[str]:
    batch = client(server)
    return [
        batch.submit_job(jobName=name, jobQueue="q", jobDefinition="jd")["jobId"] for name in names
    ]


def _statuses(server: ThreadedServer, ids: list[str]) -> dict[str, str]:
    jobs = client(server).describe_jobs(jobs=ids)["jobs"]
    return {job["jobName"]: job["status"] for job in jobs}


def _error(server: ThreadedServer, method: str, path: str, body: Any) -> tuple[int, str]:
    status, headers, raw = call(server, method, path, body)
    assert headers["content-type"] == "application/json"
    assert b"<html" not in raw.lower()
    status_json, decoded = call_json(server, method, path, body)
    assert status_json == status
    return status, decoded["message"]


# -- reset --------------------------------------------------------------------------------------
def test_reset_drops_every_resource_and_job(server: ThreadedServer) -> None:
    make_env(client(server))
    _submit(server, "a")
    make_env(client(server, region_name="eu-west-1"))

    status, body = call_json(server, "POST", "/_batchmock/reset")

    assert (status, body) == (200, {"reset": True})
    assert call_json(server, "GET", "/_batchmock/state") == (200, {"accounts": {}})
    assert client(server).describe_job_queues()["jobQueues"] == []
    europe = client(server, region_name="eu-west-1")
    assert europe.describe_compute_environments()["computeEnvironments"] == []
    make_env(client(server))  # the same names can be created again


# -- advance ------------------------------------------------------------------------------------
def test_advance_moves_the_virtual_clock(server: ThreadedServer) -> None:
    make_env(client(server))
    (job_id,) = _submit(server, "timed")

    assert call_json(server, "POST", "/_batchmock/advance", {"seconds": 0})[0] == 200
    assert _statuses(server, [job_id]) == {"timed": "SUBMITTED"}

    status, body = call_json(server, "POST", "/_batchmock/advance", {"seconds": 600})
    assert (status, body) == (200, {"advanced": 600})
    assert _statuses(server, [job_id]) == {"timed": "SUCCEEDED"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (None, ["advance", "empty"]),
        (b"{oops", ["advance", "not valid JSON"]),
        ([5], ["advance", "JSON object"]),
        ({}, ["seconds", "required"]),
        ({"seconds": "10"}, ["seconds", "number"]),
        ({"seconds": True}, ["seconds", "number"]),
        ({"seconds": -1}, ["seconds", "from 0 to", "got -1"]),
        # issue 14, item 9: numbers the clock cannot reach are refused before it moves at all
        ({"seconds": 1e306}, ["seconds", "from 0 to", "9999-12-31T23:59:59Z", "got 1e+306"]),
        ({"seconds": 10**400}, ["seconds", "from 0 to", "got 1000000000"]),
        (b'{"seconds": NaN}', ["advance", "not valid JSON", "NaN is not a JSON value"]),
        (b'{"seconds": Infinity}', ["advance", "not valid JSON", "Infinity is not a JSON value"]),
        (b"[" * 100_000, ["advance", "more than 100 levels deep"]),
        (b'{"seconds": 1, "x": "\\ud800"}', ["advance", "lone surrogate", "'x'"]),
        ({"seconds": 1, "minutes": 2}, ["minutes", "unknown"]),
    ],
)
def test_advance_refuses_bad_input_and_moves_nothing(
    server: ThreadedServer, body: Any, words: list[str]
) -> None:
    make_env(client(server))
    (job_id,) = _submit(server, "still")

    status, message = _error(server, "POST", "/_batchmock/advance", body)

    assert status == 400
    for word in words:
        assert word in message
    assert _statuses(server, [job_id]) == {"still": "SUBMITTED"}


def test_advance_is_refused_on_the_real_clock() -> None:
    with ThreadedServer(clock="real") as real:
        status, message = _error(real, "POST", "/_batchmock/advance", {"seconds": 3600})
    assert status == 400
    assert "real clock" in message


# -- run-until-idle -----------------------------------------------------------------------------
def test_run_until_idle_finishes_every_job(server: ThreadedServer) -> None:
    make_env(client(server))
    ids = _submit(server, "one", "two", "three")

    assert call_json(server, "POST", "/_batchmock/run-until-idle") == (
        200,
        {"idle": True, "unfinishedJobs": []},
    )

    assert _statuses(server, ids) == {"one": "SUCCEEDED", "two": "SUCCEEDED", "three": "SUCCEEDED"}


# -- outcomes -----------------------------------------------------------------------------------
def test_outcomes_script_exit_codes_and_replace_the_previous_list(server: ThreadedServer) -> None:
    rules = [
        {"match": {"jobName": "fail-*"}, "exitCode": 3, "reason": "scripted", "logs": ["boom"]},
    ]
    assert call_json(server, "POST", "/_batchmock/outcomes", rules) == (200, rules)
    assert call_json(server, "GET", "/_batchmock/outcomes") == (200, rules)
    make_env(client(server))
    ids = _submit(server, "fail-1", "ok-1")

    call_json(server, "POST", "/_batchmock/run-until-idle")

    assert _statuses(server, ids) == {"fail-1": "FAILED", "ok-1": "SUCCEEDED"}
    (failed,) = client(server).describe_jobs(jobs=ids[:1])["jobs"]
    assert failed["container"]["exitCode"] == 3
    assert call_json(server, "POST", "/_batchmock/outcomes", []) == (200, [])
    assert call_json(server, "GET", "/_batchmock/outcomes") == (200, [])


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"match": {}}, ["outcomes", "JSON list"]),
        ([{"exitCode": 1}, "x"], ["outcomes[1]", "JSON object"]),
        ([{"exitCode": "three"}], ["exitCode", "integer"]),
        ([{"match": {"jobName": "a"}, "colour": "red"}], ["colour", "unknown"]),
        (b"not json", ["outcomes", "not valid JSON"]),
    ],
)
def test_bad_outcomes_are_refused_and_the_old_ones_kept(
    server: ThreadedServer, body: Any, words: list[str]
) -> None:
    kept = [{"match": {"jobName": "keep"}, "exitCode": 1}]
    call_json(server, "POST", "/_batchmock/outcomes", kept)

    status, message = _error(server, "POST", "/_batchmock/outcomes", body)

    assert status == 400
    for word in words:
        assert word in message
    assert call_json(server, "GET", "/_batchmock/outcomes") == (200, kept)


# -- state --------------------------------------------------------------------------------------
def test_state_lists_queues_environments_and_jobs_per_account_and_region(
    server: ThreadedServer,
) -> None:
    make_env(client(server))
    ids = _submit(server, "first", "second")
    make_env(client(server, region_name="eu-west-1", aws_access_key_id="111122223333"))

    status, state = call_json(server, "GET", "/_batchmock/state")

    assert status == 200
    home = state["accounts"]["123456789012"]["us-east-1"]
    assert [ce["computeEnvironmentName"] for ce in home["computeEnvironments"]] == ["ce"]
    assert [q["jobQueueName"] for q in home["jobQueues"]] == ["q"]
    assert {j["jobId"]: (j["jobName"], j["status"]) for j in home["jobs"]} == {
        ids[0]: ("first", "SUBMITTED"),
        ids[1]: ("second", "SUBMITTED"),
    }
    other = state["accounts"]["111122223333"]["eu-west-1"]
    assert other["jobs"] == []
    assert other["jobQueues"][0]["jobQueueArn"].startswith("arn:aws:batch:eu-west-1:111122223333:")


def test_reading_state_never_moves_the_clock() -> None:
    with ThreadedServer() as polling:  # auto_advance on: DescribeJobs would move jobs
        make_env(client(polling))
        _submit(polling, "watched")
        for _ in range(5):
            _, state = call_json(polling, "GET", "/_batchmock/state")
            (job,) = state["accounts"]["123456789012"]["us-east-1"]["jobs"]
            assert job["status"] == "SUBMITTED"


# -- the endpoints themselves -------------------------------------------------------------------
def test_unknown_control_endpoint_is_a_json_404_listing_the_endpoints(
    server: ThreadedServer,
) -> None:
    status, message = _error(server, "POST", "/_batchmock/rewind", {})
    assert status == 404
    for endpoint in ("POST /_batchmock/reset", "POST /_batchmock/advance", "GET /_batchmock/state"):
        assert endpoint in message


def test_wrong_method_on_a_control_endpoint_is_a_json_405(server: ThreadedServer) -> None:
    status, headers, _ = call(server, "GET", "/_batchmock/reset")
    assert status == 405
    assert headers["allow"] == "POST"
    assert headers["x-amzn-errortype"] == "MethodNotAllowedException"


def test_control_api_answers_signed_requests_too(server: ThreadedServer) -> None:
    auth = (
        "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/batch/aws4_request, "
        "SignedHeaders=host, Signature=0"
    )
    status, _, body = call(server, "GET", "/_batchmock/outcomes", headers={"Authorization": auth})
    assert (status, body) == (200, b"[]")
