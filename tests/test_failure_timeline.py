"""Failing tests that used a mock get a 'batchmock timeline' section in their report."""

from __future__ import annotations

import re

import pytest

from batchmock.observe import recorder
from tests.test_pytest_plugin import _run

SETUP = """
    import boto3
    import pytest
    from batchmock import mock_batch

    def make_env(batch):
        batch.create_compute_environment(
            computeEnvironmentName="ce", type="MANAGED",
            computeResources={"type": "EC2", "maxvCpus": 4, "minvCpus": 0,
                "subnets": ["s"], "securityGroupIds": ["g"],
                "instanceRole": "r", "instanceTypes": ["optimal"]})
        batch.create_job_queue(jobQueueName="q", priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}])
        batch.register_job_definition(jobDefinitionName="jd", type="container",
            containerProperties={"image": "busybox", "command": ["true"],
                "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                         {"type": "MEMORY", "value": "512"}]})

    def submit(batch, name, **kwargs):
        return batch.submit_job(jobName=name, jobQueue="q", jobDefinition="jd",
                                **kwargs)["jobId"]
"""


def _section(output: str) -> str:
    """The text of the first 'batchmock timeline' section of a pytest output."""
    found = re.search(r"-+ batchmock timeline -+\n(.*?)(?:\n[=_-]{5,}|\Z)", output, re.S)
    assert found is not None, output
    return found.group(1)


def test_a_failing_test_with_the_fixture_shows_each_job(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SETUP
        + """
    @pytest.mark.batch_mock(outcomes=[{"match": {"jobName": "bad"}, "exitCode": 7,
                                       "reason": "boom"}])
    def test_fails(batch_mock, batch_client):
        make_env(batch_client)
        good = submit(batch_client, "good")
        submit(batch_client, "bad")
        submit(batch_client, "stuck", dependsOn=[{"jobId": good}])
        batch_client.cancel_job(jobId=submit(batch_client, "cancelled"),
                                reason="<b>not needed</b>")
        batch_mock.advance(4.5)
        assert False, "the test failed"
    """
    )
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    text = _section(result.stdout.str())

    assert text.startswith("mock: 4 job(s), virtual clock; +seconds after ")
    assert "(now +4.500s)" in text.splitlines()[0]
    good = re.search(r"good \[[0-9a-f-]{36}\] queue q: SUCCEEDED \(exit 0\)", text)
    bad = re.search(r"bad \[[0-9a-f-]{36}\] queue q: FAILED \(exit 7\)", text)
    assert good, text
    assert bad, text
    assert (
        "SUBMITTED +0.000s  RUNNABLE +1.000s  STARTING +2.000s  RUNNING +3.000s  FAILED +4.000s"
        in text
    )
    assert "attempt 1: +3.000s..+4.000s exit 7, reason 'boom'" in text
    stuck = re.search(
        r"stuck \[[0-9a-f-]{36}\] queue q: RUNNABLE\n"
        r".*SUBMITTED \+0.000s  PENDING \+1.000s  RUNNABLE \+4.000s\n",
        text,
    )
    assert stuck, text
    assert "cancelled" in text
    assert "statusReason: '<b>not needed</b>'" in text


def test_mock_batch_as_decorator_and_with_block_inside_the_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        SETUP
        + """
    @mock_batch
    def test_decorated():
        batch = boto3.client("batch", region_name="us-east-1")
        make_env(batch)
        submit(batch, "decorated-job")
        raise RuntimeError("failed inside the decorator")

    def test_with_block():
        with mock_batch(region="eu-west-1") as mock:
            batch = mock.client()
            make_env(batch)
            submit(batch, "first-mock-job")
            mock.run_until_idle()
        with mock_batch() as other:
            batch = other.client()
            make_env(batch)
            submit(batch, "second-mock-job")
        # both mocks have ended: their state is gone, yet the report shows their jobs
        assert False
    """
    )
    result = _run(pytester)
    result.assert_outcomes(failed=2)
    output = result.stdout.str()

    decorated = _section(output.split("test_with_block")[0])
    assert decorated.startswith("mock: 1 job(s)")
    assert "decorated-job [" in decorated
    assert ": SUBMITTED" in decorated
    with_block = _section(output.split("_ test_with_block _")[1])
    assert with_block.startswith("mock 1 of 2: 1 job(s)")
    assert "first-mock-job [" in with_block
    assert ": SUCCEEDED (exit 0)" in with_block
    assert "mock 2 of 2: 1 job(s)" in with_block
    assert "second-mock-job [" in with_block
    assert "decorated-job" not in with_block  # each test sees its own mocks only


def test_a_passing_test_gets_no_section_and_nothing_is_kept(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SETUP
        + """
    def test_passes(batch_mock, batch_client):
        make_env(batch_client)
        submit(batch_client, "fine")

    def test_fails_without_jobs(batch_mock):
        assert False
    """
    )
    open_before = list(recorder._open)  # this very test's (the inner session runs in-process)
    result = _run(pytester, "-rA")
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()

    assert output.count("batchmock timeline") == 1
    assert _section(output).startswith("mock: no jobs (virtual clock, now ")
    assert recorder._open == open_before  # every inner recording closed with its test


def test_plain_failures_without_a_mock_get_no_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert 1 == 2\n")
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    assert "batchmock timeline" not in result.stdout.str()


FAILING = (
    SETUP
    + """
    def test_fails(batch_mock, batch_client):
        make_env(batch_client)
        for i in range(30):
            submit(batch_client, f"job-{i:02d}")
        assert False
    """
)


def test_the_section_is_bounded_to_the_first_and_last_jobs(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbatchmock_timeline_max_jobs = 6\n")
    pytester.makepyfile(FAILING)
    result = _run(pytester)
    text = _section(result.stdout.str())

    names = re.findall(r"^  (job-\d\d) \[", text, re.M)
    assert names == ["job-00", "job-01", "job-02", "job-27", "job-28", "job-29"]
    assert "  ... 24 job(s) left out ..." in text


@pytest.mark.parametrize(
    ("ini", "args"),
    [("[pytest]\nbatchmock_timeline = false\n", ()), ("[pytest]\n", ("--no-batchmock-timeline",))],
)
def test_the_section_can_be_turned_off(
    pytester: pytest.Pytester, ini: str, args: tuple[str, ...]
) -> None:
    pytester.makeini(ini)
    pytester.makepyfile(FAILING)
    result = _run(pytester, *args)
    result.assert_outcomes(failed=1)
    assert "batchmock timeline" not in result.stdout.str()


def test_a_bad_max_jobs_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbatchmock_timeline_max_jobs = many\n")
    pytester.makepyfile(FAILING)
    result = _run(pytester)
    assert "batchmock_timeline_max_jobs must be a whole number, got 'many'" in (
        result.stdout.str() + result.stderr.str()
    )


def test_the_shared_server_shows_this_tests_jobs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SETUP
        + """
    def test_a(batch_server):
        batch = boto3.client("batch", region_name="us-east-1",
                             endpoint_url=batch_server.endpoint_url)
        make_env(batch)
        submit(batch, "over-http")
        assert False
    """
    )
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    text = _section(result.stdout.str())
    assert "over-http [" in text
    assert "(clock" not in text
