"""Fair-share scheduling through boto3 (reference §14.4-14.7): weights, decay, reservation."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchmock import mock_batch
from tests.support import documented_number, make_ce, make_job_definition

DURATION = 10


def _fair_env(batch: Any, vcpus: int, **fairshare: Any) -> None:
    make_ce(batch, max_vcpus=vcpus)
    policy = batch.create_scheduling_policy(name="fair", fairsharePolicy=fairshare)["arn"]
    batch.create_job_queue(
        jobQueueName="fq",
        priority=1,
        schedulingPolicyArn=policy,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
    )
    make_job_definition(batch)


def _submit(batch: Any, share: str, count: int, **kwargs: Any) -> list[str]:
    return [
        batch.submit_job(
            jobName=f"{share}-{i}",
            jobQueue="fq",
            jobDefinition="jd",
            shareIdentifier=share,
            **kwargs,
        )["jobId"]
        for i in range(count)
    ]


def _jobs(batch: Any, ids: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), 100):
        found.extend(batch.describe_jobs(jobs=ids[start : start + 100])["jobs"])
    return found


def _capacity_shares(jobs: list[dict[str, Any]], start: int, end: int) -> dict[str, float]:
    """Each share's part of the vCPU-seconds (1 vCPU per job) held from ``start`` to ``end``."""
    held: Counter[str] = Counter()
    for job in jobs:
        overlap = min(job["stoppedAt"], end) - max(job["startedAt"], start)
        if overlap > 0:
            held[job["shareIdentifier"]] += overlap
    total = sum(held.values())
    return {share: round(ms / total, 2) for share, ms in sorted(held.items())}


def test_running_capacity_converges_to_the_weighted_fair_share() -> None:
    # weights 1 : 0.5 : 0.25 earn 1 : 2 : 4 of 14 vCPUs, i.e. 2, 4 and 8
    with mock_batch(outcomes=[{"match": {"jobDefinition": "jd"}, "duration": DURATION}]) as mock:
        batch = mock.client()
        _fair_env(
            batch,
            14,
            shareDecaySeconds=60,
            shareDistribution=[
                {"shareIdentifier": "a", "weightFactor": 1.0},
                {"shareIdentifier": "b", "weightFactor": 0.5},
                {"shareIdentifier": "c", "weightFactor": 0.25},
            ],
        )
        ids = _submit(batch, "a", 200) + _submit(batch, "b", 200) + _submit(batch, "c", 200)
        assert not mock.run_until_idle()
        jobs = _jobs(batch, ids)
    assert {job["status"] for job in jobs} == {"SUCCEEDED"}
    first = min(job["startedAt"] for job in jobs)
    # FIFO would run share a alone first; fair share runs all three at once, 2 : 4 : 8
    for second in range(30, 250, 20):  # every window of 20 s, while all three have jobs
        window = (first + second * 1000, first + (second + 20) * 1000)
        assert _capacity_shares(jobs, *window) == {"a": 0.14, "b": 0.29, "c": 0.57}
    # when c runs out, a and b share the queue 1 : 2
    assert _capacity_shares(jobs, first + 320_000, first + 400_000) == {"a": 0.36, "b": 0.64}


def test_decay_lets_a_share_that_was_idle_catch_up() -> None:
    with mock_batch(outcomes=[{"match": {"jobDefinition": "jd"}, "duration": DURATION}]) as mock:
        batch = mock.client()
        _fair_env(batch, 8, shareDecaySeconds=120)
        busy = _submit(batch, "busy", 400)
        mock.advance(300)  # "busy" has used the whole queue for minutes
        idle = _submit(batch, "idle", 100)
        assert not mock.run_until_idle()
        jobs = _jobs(batch, busy + idle)
    came = min(job["startedAt"] for job in jobs if job["shareIdentifier"] == "idle")
    # "busy" has a high decayed usage: at first nearly every freed slot goes to "idle" ...
    first_20s = _capacity_shares(jobs, came, came + 20_000)
    assert first_20s["idle"] >= 0.85, first_20s
    # ... "idle" keeps more than half while the history decays (time constant 120 s) ...
    later = _capacity_shares(jobs, came + 20_000, came + 100_000)
    assert 0.55 <= later["idle"] < first_20s["idle"], later
    # ... and once usage is even the two split the queue equally
    assert _capacity_shares(jobs, came + 120_000, came + 220_000) == {"busy": 0.5, "idle": 0.5}


def test_compute_reservation_holds_capacity_for_shares_not_yet_active() -> None:
    outcomes = [{"match": {"jobDefinition": "jd"}, "duration": 3600}]
    with mock_batch(outcomes=outcomes, auto_advance=False) as mock:
        batch = mock.client()
        _fair_env(batch, 8, computeReservation=50, shareDecaySeconds=0)
        first = _submit(batch, "a", 10)
        mock.advance(60)
        # one active share: (50/100)^1 of 8 vCPUs is held back
        statuses = Counter(job["status"] for job in _jobs(batch, first))
        assert statuses == {"RUNNING": 4, "RUNNABLE": 6}
        second = _submit(batch, "b", 10)
        mock.advance(60)
        # two active shares: 25% held back, the 2 vCPUs that freed go to the new share
        jobs = _jobs(batch, first + second)
        running = Counter(job["shareIdentifier"] for job in jobs if job["status"] == "RUNNING")
        assert running == {"a": 4, "b": 2}


def test_scheduling_priority_orders_jobs_within_a_share() -> None:
    with mock_batch(outcomes=[{"match": {"jobDefinition": "jd"}, "duration": DURATION}]) as mock:
        batch = mock.client()
        _fair_env(batch, 1)
        ids = [
            _submit(batch, "a", 1, schedulingPriorityOverride=priority)[0]
            for priority in (1, 5, 9, 5)
        ]
        assert not mock.run_until_idle()
        jobs = {job["jobId"]: job for job in _jobs(batch, ids)}
    order = sorted(ids, key=lambda job_id: jobs[job_id]["startedAt"])
    assert order == [ids[2], ids[1], ids[3], ids[0]]
    assert [jobs[i]["schedulingPriority"] for i in order] == [9, 5, 5, 1]


def _first_share_of_newcomer(**options: Any) -> dict[str, float]:
    outcomes = [{"match": {"jobDefinition": "jd"}, "duration": DURATION}]
    with mock_batch(outcomes=outcomes, **options) as mock:
        batch = mock.client()
        _fair_env(batch, 8, shareDecaySeconds=0)
        busy = _submit(batch, "busy", 400)
        mock.advance(300)
        idle = _submit(batch, "idle", 100)
        assert not mock.run_until_idle()
        jobs = _jobs(batch, busy + idle)
    came = min(job["startedAt"] for job in jobs if job["shareIdentifier"] == "idle")
    return _capacity_shares(jobs, came, came + 40_000)


def test_share_decay_seconds_zero_counts_current_usage_or_the_models_window() -> None:
    # default ("current", the User Guide): no history, the two split the queue at once
    assert _first_share_of_newcomer() == {"busy": 0.5, "idle": 0.5}
    # "default" (the API model): a 600 s window, so the newcomer first catches up
    caught_up = _first_share_of_newcomer(share_decay_zero="default")
    assert caught_up["idle"] >= 0.6, caught_up


def test_the_active_share_limit_counts_the_decay_window() -> None:
    most = documented_number(
        "CreateSchedulingPolicy",
        "fairsharePolicy.shareDistribution.member.shareIdentifier",
        r"no more than (\d+) share identifiers active",
    )
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        _fair_env(batch, 256, shareDecaySeconds=600)
        for i in range(most):
            _submit(batch, f"s{i}", 1)
        assert not mock.run_until_idle()
        # every job is done, but each share stays active for shareDecaySeconds after
        with pytest.raises(ClientError) as refused:
            _submit(batch, "late", 1)
        message = refused.value.response["Error"]["Message"]
        assert "shareIdentifier" in message
        assert f"{most} active share identifiers" in message
        _submit(batch, "s0", 1)  # an active identifier may always submit more
        mock.advance(601)
        assert len(_submit(batch, "late", 1)) == 1
