"""Job dependencies through boto3 (§6, §5.8-5.10)."""

from __future__ import annotations

from batchmock import mock_batch
from tests.engine.helpers import describe, history, setup, status, statuses, submit

FAIL_A = [{"match": {"jobName": "a"}, "exitCode": 1}]


def test_dependent_waits_pending_then_runs_after_success() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        a = submit(batch, name="a")
        b = submit(batch, name="b", dependsOn=[{"jobId": a}])
        mock.advance(1)
        assert statuses(batch, a, b) == ["RUNNABLE", "PENDING"]
        mock.run_until_idle()
        assert statuses(batch, a, b) == ["SUCCEEDED", "SUCCEEDED"]
        assert describe(batch, b)["startedAt"] > describe(batch, a)["stoppedAt"]
        assert describe(batch, b)["dependsOn"] == [{"jobId": a}]
        assert history(mock, b) == [
            "SUBMITTED",
            "PENDING",
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "SUCCEEDED",
        ]


def test_failure_cascades_with_dependent_job_failed() -> None:
    with mock_batch(auto_advance=False, outcomes=FAIL_A) as mock:
        batch = mock.client()
        setup(batch)
        a = submit(batch, name="a")
        b = submit(batch, name="b", dependsOn=[{"jobId": a}])
        c = submit(batch, name="c", dependsOn=[{"jobId": b}])
        mock.run_until_idle()
        assert statuses(batch, a, b, c) == ["FAILED"] * 3
        for job_id in (b, c):
            job = describe(batch, job_id)
            assert job["statusReason"] == "Dependent Job failed"
            assert job["attempts"] == []
            assert "startedAt" not in job


def test_every_dependency_must_succeed() -> None:
    with mock_batch(auto_advance=False, outcomes=FAIL_A) as mock:
        batch = mock.client()
        setup(batch)
        ok = submit(batch, name="ok")
        a = submit(batch, name="a")
        both = submit(batch, name="both", dependsOn=[{"jobId": ok}, {"jobId": a}])
        mock.run_until_idle()
        assert statuses(batch, ok, a, both) == ["SUCCEEDED", "FAILED", "FAILED"]


def test_dependencies_that_already_finished() -> None:
    with mock_batch(auto_advance=False, outcomes=FAIL_A) as mock:
        batch = mock.client()
        setup(batch)
        ok = submit(batch, name="ok")
        a = submit(batch, name="a")
        mock.run_until_idle()
        after_ok = submit(batch, name="after-ok", dependsOn=[{"jobId": ok}])
        after_bad = submit(batch, name="after-bad", dependsOn=[{"jobId": a}])
        mock.advance(1)
        # §6.4: a SUCCEEDED dependency counts as met, a FAILED one fails the job at once
        assert statuses(batch, after_ok, after_bad) == ["RUNNABLE", "FAILED"]
        assert describe(batch, after_bad)["statusReason"] == "Dependent Job failed"
        mock.run_until_idle()
        assert status(batch, after_ok) == "SUCCEEDED"


def test_dependency_across_queues() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        batch.create_job_queue(
            jobQueueName="other",
            priority=5,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
        )
        a = submit(batch, name="a")
        b = submit(batch, name="b", queue="other", dependsOn=[{"jobId": a}])
        mock.run_until_idle()
        assert describe(batch, b)["startedAt"] > describe(batch, a)["stoppedAt"]


def test_plain_dependency_on_an_array_waits_for_the_whole_array() -> None:
    rules = [{"match": {"jobName": "arr", "arrayIndex": 2}, "duration": 100}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 3})
        after = submit(batch, name="after", dependsOn=[{"jobId": arr}])
        mock.advance(50)
        assert statuses(batch, f"{arr}:0", f"{arr}:2", after) == ["SUCCEEDED", "RUNNING", "PENDING"]
        mock.run_until_idle()
        assert describe(batch, after)["startedAt"] >= describe(batch, arr)["stoppedAt"]


def test_plain_dependency_on_a_failed_array_fails() -> None:
    rules = [{"match": {"jobName": "arr", "arrayIndex": 1}, "exitCode": 1}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 3})
        after = submit(batch, name="after", dependsOn=[{"jobId": arr}])
        mock.run_until_idle()
        assert statuses(batch, arr, after) == ["FAILED", "FAILED"]
        assert describe(batch, after)["statusReason"] == "Dependent Job failed"


def test_array_with_a_plain_dependency_holds_every_child() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        first = submit(batch, name="first")
        arr = submit(batch, name="arr", arrayProperties={"size": 2}, dependsOn=[{"jobId": first}])
        mock.advance(2)
        assert statuses(batch, arr, f"{arr}:0", f"{arr}:1") == ["PENDING"] * 3
        mock.run_until_idle()
        assert describe(batch, f"{arr}:0")["startedAt"] > describe(batch, first)["stoppedAt"]
        assert status(batch, arr) == "SUCCEEDED"


def test_sequential_children_run_one_after_the_other() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(
            batch, name="arr", arrayProperties={"size": 4}, dependsOn=[{"type": "SEQUENTIAL"}]
        )
        mock.run_until_idle()
        children = [describe(batch, f"{arr}:{i}") for i in range(4)]
        for before, after in zip(children, children[1:]):
            assert after["startedAt"] > before["stoppedAt"]
        # §6.9: each child shows its implicit dependency
        assert children[0]["dependsOn"] == []
        assert children[2]["dependsOn"] == [{"jobId": f"{arr}:1", "type": "SEQUENTIAL"}]
        assert describe(batch, arr)["dependsOn"] == [{"type": "SEQUENTIAL"}]


def test_sequential_failure_fails_the_rest() -> None:
    rules = [{"match": {"jobName": "arr", "arrayIndex": 1}, "exitCode": 1}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(
            batch, name="arr", arrayProperties={"size": 4}, dependsOn=[{"type": "SEQUENTIAL"}]
        )
        mock.run_until_idle()
        ids = [f"{arr}:{i}" for i in range(4)]
        assert statuses(batch, arr, *ids) == ["FAILED", "SUCCEEDED", "FAILED", "FAILED", "FAILED"]
        assert describe(batch, ids[2])["statusReason"] == "Dependent Job failed"
        assert describe(batch, ids[3])["attempts"] == []


def test_n_to_n_child_waits_for_the_same_index() -> None:
    rules = [
        {"match": {"jobName": "first", "arrayIndex": 0}, "duration": 100},
        {"match": {"jobName": "first", "arrayIndex": 1}, "exitCode": 1},
    ]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        first = submit(batch, name="first", arrayProperties={"size": 3})
        second = submit(
            batch,
            name="second",
            arrayProperties={"size": 3},
            dependsOn=[{"jobId": first, "type": "N_TO_N"}],
        )
        mock.advance(20)
        # index 2 of the first array is done, so index 2 of the second may run; 0 waits
        assert statuses(batch, f"{second}:0", f"{second}:2") == ["PENDING", "SUCCEEDED"]
        mock.run_until_idle()
        assert statuses(batch, f"{second}:0", f"{second}:1", f"{second}:2") == [
            "SUCCEEDED",
            "FAILED",
            "SUCCEEDED",
        ]
        assert describe(batch, f"{second}:1")["statusReason"] == "Dependent Job failed"
        assert describe(batch, f"{second}:0")["dependsOn"] == [
            {"jobId": f"{first}:0", "type": "N_TO_N"}
        ]
        assert (
            describe(batch, f"{second}:0")["startedAt"] > describe(batch, f"{first}:0")["stoppedAt"]
        )


def test_n_to_n_on_an_array_cancelled_before_it_spawned() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        first = submit(batch, name="first", arrayProperties={"size": 2})
        second = submit(
            batch,
            name="second",
            arrayProperties={"size": 2},
            dependsOn=[{"jobId": first, "type": "N_TO_N"}],
        )
        batch.cancel_job(jobId=first, reason="no")
        mock.run_until_idle()
        assert statuses(batch, first, second, f"{second}:0") == ["FAILED"] * 3


def test_a_thousand_job_chain_runs_in_order() -> None:
    with mock_batch(
        auto_advance=False, delays={"submitted": 0, "scheduling": 0, "starting": 0, "running": 1}
    ) as mock:
        batch = mock.client()
        setup(batch)
        engine = mock.backend().engine
        spec_job = engine.get(submit(batch, name="head"))
        assert spec_job is not None
        ids = [spec_job.job_id]
        import dataclasses

        for _ in range(999):
            spec = dataclasses.replace(spec_job.spec, depends_on=[{"jobId": ids[-1]}])
            ids.append(engine.submit(spec).job_id)
        mock.run_until_idle()
        stops = [engine.get(j).stopped_at for j in ids]  # type: ignore[union-attr]
        assert stops == sorted(stops)
        assert len(set(stops)) == 1000
