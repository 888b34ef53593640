"""The pytest plugin, run in inner pytest sessions: fixtures, the marker and state between tests."""

from __future__ import annotations

import configparser
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import batchmock


def _installed() -> bool:
    found = entry_points()
    # Python 3.9 returns a dict of groups; 3.10+ an EntryPoints with select().
    group = (
        found.select(group="pytest11") if hasattr(found, "select") else found.get("pytest11", [])
    )
    return any(ep.value == "batchmock.pytest_plugin" for ep in group)


# Installed, pytest loads the plugin through its entry point; from a source tree, we name it.
PLUGIN = [] if _installed() else ["-p", "batchmock.pytest_plugin"]


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*PLUGIN, "-p", "no:randomly", "-p", "no:cacheprovider", *args)


def test_the_entry_point_is_declared() -> None:
    setup = configparser.ConfigParser()
    setup.read(Path(batchmock.__file__).resolve().parent.parent / "setup.cfg")
    declared = setup["options.entry_points"]["pytest11"]
    assert "batchmock = batchmock.pytest_plugin" in declared


def test_batch_mock_and_batch_client_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_fixture(batch_mock, batch_client):
            assert batch_mock.active
            batch_client.create_compute_environment(
                computeEnvironmentName="ce", type="UNMANAGED"
            )
            assert list(batch_mock.backend().compute_environments) == ["ce"]
            same = boto3.client("batch", region_name="us-east-1")
            assert same.describe_compute_environments()["computeEnvironments"][0][
                "computeEnvironmentName"] == "ce"
        """
    )
    _run(pytester).assert_outcomes(passed=1)


def test_every_test_starts_from_an_empty_mock(pytester: pytest.Pytester) -> None:
    body = """
        def test_{n}(batch_client):
            assert batch_client.describe_compute_environments()["computeEnvironments"] == []
            batch_client.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
    """
    pytester.makepyfile("\n".join(body.format(n=n) for n in range(3)))
    _run(pytester).assert_outcomes(passed=3)


def test_marker_options_merge_with_the_closest_winning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.batch_mock(region="eu-west-1", account_id="111122223333")

        @pytest.mark.batch_mock(auto_advance=False)
        class TestClass:
            @pytest.mark.batch_mock(region="ap-south-1")
            def test_closest(self, batch_mock, batch_client):
                options = batch_mock.options
                assert options.region == "ap-south-1"
                assert options.account_id == "111122223333"
                assert options.auto_advance is False
                assert batch_client.meta.region_name == "ap-south-1"
                arn = batch_client.create_compute_environment(
                    computeEnvironmentName="ce", type="UNMANAGED"
                )["computeEnvironmentArn"]
                assert arn.startswith("arn:aws:batch:ap-south-1:111122223333:")

            def test_class(self, batch_mock):
                assert batch_mock.options.region == "eu-west-1"
                assert batch_mock.options.auto_advance is False

        def test_module(batch_mock):
            assert batch_mock.options.region == "eu-west-1"
            assert batch_mock.options.auto_advance is True
        """
    )
    _run(pytester, "--strict-markers").assert_outcomes(passed=3)


def test_an_unknown_marker_option_is_reported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.batch_mock(colour="blue")
        def test_it(batch_mock):
            pass
        """
    )
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*Unknown mock_batch option(s): colour*"])


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.batch_mock(**options):*"])


def test_batch_server_is_shared_and_reset_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest

        PORTS = []

        def client(server):
            return boto3.client(
                "batch", endpoint_url=server.endpoint_url, region_name="us-east-1",
                aws_access_key_id="testing", aws_secret_access_key="testing",
            )

        @pytest.mark.parametrize("n", range(3))
        def test_empty_then_used(batch_server, n):
            batch = client(batch_server)
            assert batch.describe_compute_environments()["computeEnvironments"] == []
            batch.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
            PORTS.append(batch_server.port)

        def test_one_server_for_the_session(batch_server):
            assert PORTS == [batch_server.port] * 3

        def test_with_batch_mock_it_serves_that_mock(batch_mock, batch_server):
            assert batch_server.mock is batch_mock
            batch_mock.client().create_compute_environment(
                computeEnvironmentName="in-process", type="UNMANAGED"
            )
            names = [ce["computeEnvironmentName"] for ce in
                     client(batch_server).describe_compute_environments()["computeEnvironments"]]
            assert names == ["in-process"]

        @pytest.mark.batch_mock(auto_advance=False)
        def test_marker_options_get_a_server_of_their_own(batch_server):
            assert batch_server.mock.options.auto_advance is False
            assert batch_server.port != PORTS[0]
        """
    )
    _run(pytester).assert_outcomes(passed=6)
