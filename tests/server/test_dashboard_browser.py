"""The dashboard in a real browser: Chromium (the system's package) driven through Selenium.

Chromium and chromedriver come from the system's packages (``.ci/run`` installs ``chromium``
and ``chromium-driver``); selenium-manager is never asked to download anything. Without them the
tests skip, unless ``BATCHMOCK_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
Screenshots go to ``$BATCHMOCK_ARTIFACTS`` if set, else to the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from batchmock.server import ThreadedServer
from tests.server.helpers import client
from tests.support import make_ce, make_job_definition, make_queue

WAIT_SECONDS = 30.0
"""The longest a test waits for the page to show something (it polls every second)."""
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    for name in names:
        if os.path.exists(f"/usr/bin/{name}"):
            return f"/usr/bin/{name}"
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("BATCHMOCK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BATCHMOCK_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by the system's chromedriver, with an empty profile."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    chromium = _find("chromium", "chromium-browser")
    driver_path = _find("chromedriver")
    if chromium is None or driver_path is None:
        _unavailable(
            "no Chromium installed (apt-get install chromium chromium-driver): "
            "the browser tests of the dashboard need one"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="batchmock-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    """A server on a virtual clock with a compute environment, a queue and a job definition."""
    with ThreadedServer(clock="virtual", auto_advance=False) as running:
        batch = client(running)
        make_ce(batch, max_vcpus=4)
        make_queue(batch)
        make_job_definition(batch)
        yield running


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: ``$BATCHMOCK_ARTIFACTS`` or the test's temporary directory."""
    folder = Path(os.environ.get("BATCHMOCK_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait(browser: Any, condition: Any, what: str) -> Any:
    """Poll ``condition(browser)`` until it is truthy (bounded); the page re-renders what
    changed every second, so an element read a moment ago may be gone: that is a retry."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        browser,
        WAIT_SECONDS,
        poll_frequency=0.1,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    ).until(condition, message=f"the page did not show {what} within {WAIT_SECONDS} s")


def _text(browser: Any, css: str) -> str:
    """The text of the first element ``css`` selects, read in one step ("" if none)."""
    found = browser.execute_script(
        "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';", css
    )
    return str(found)


def _open(browser: Any, server: ThreadedServer, route: str = "#/") -> None:
    browser.get(server.dashboard_url + route)
    _wait(browser, lambda b: b.find_element("id", "clock").text, "the mock's clock")


def _row_status(browser: Any, job_id: str) -> str | None:
    rows = browser.find_elements("css selector", f'#jobs tr[data-job-id="{job_id}"]')
    return rows[0].get_attribute("data-status") if rows else None


def _submit(server: ThreadedServer, name: str, **kwargs: Any) -> str:
    job_id: str = client(server).submit_job(
        jobName=name, jobQueue="q", jobDefinition="jd", **kwargs
    )["jobId"]
    return job_id


def test_a_submitted_job_moves_to_succeeded_without_reloading(
    browser: Any, server: ThreadedServer
) -> None:
    _open(browser, server, "#/jobs")
    browser.execute_script("window.__sameDocument = 'yes';")
    job_id = _submit(server, "mover")

    _wait(browser, lambda b: _row_status(b, job_id) == "SUBMITTED", "the new job SUBMITTED")
    server.mock.advance(1.5)
    _wait(browser, lambda b: _row_status(b, job_id) == "RUNNABLE", "the job RUNNABLE")
    server.mock.run_until_idle()
    _wait(browser, lambda b: _row_status(b, job_id) == "SUCCEEDED", "the job SUCCEEDED")

    assert browser.execute_script("return window.__sameDocument;") == "yes"  # never reloaded
    row = _text(browser, f'#jobs tr[data-job-id="{job_id}"]')
    assert "mover" in row
    assert "SUCCEEDED" in row


def test_a_jobs_page_shows_its_log_lines_from_cloudwatch(
    browser: Any, server: ThreadedServer
) -> None:
    server.mock.set_outcomes([{"logs": ["hello from the job", "<i>not italic</i>"]}])
    job_id = _submit(server, "talker")
    server.mock.run_until_idle()
    _open(browser, server, "#/jobs")

    _wait(
        browser,
        lambda b: (
            b.find_element("css selector", f'#jobs tr[data-job-id="{job_id}"] a').click() or True
        ),
        "a link to the job",
    )
    _wait(browser, lambda b: b.find_elements("css selector", "pre#logs .msg"), "the job's logs")

    messages = browser.execute_script(
        "return [...document.querySelectorAll('pre#logs .msg')].map((m) => m.textContent);"
    )
    assert messages == ["hello from the job", "<i>not italic</i>"]
    assert not browser.find_elements("css selector", "pre#logs i")
    assert _text(browser, "#job-title").startswith("talker")
    history = _text(browser, "#status-history")
    assert "SUBMITTED" in history
    assert "SUCCEEDED" in history
    assert "\t0\t" in _text(browser, "#attempts")  # exit code 0


def test_run_until_idle_is_a_button(browser: Any, server: ThreadedServer) -> None:
    ids = [_submit(server, f"idle-{i}") for i in range(6)]
    _open(browser, server, "#/")

    total = '#totals a[data-status="SUCCEEDED"] .n'
    _wait(browser, lambda b: _text(b, total) == "0", "0 succeeded")
    browser.find_element("id", "btn-idle").click()
    _wait(browser, lambda b: _text(b, total) == "6", "6 succeeded")

    jobs = client(server).describe_jobs(jobs=ids)["jobs"]
    assert {job["status"] for job in jobs} == {"SUCCEEDED"}


def test_advance_is_a_button_too(browser: Any, server: ThreadedServer) -> None:
    job_id = _submit(server, "step")
    before = server.mock.now_ms()
    _open(browser, server, "#/jobs")
    field = browser.find_element("id", "advance-seconds")
    field.clear()
    field.send_keys("1.5")

    browser.find_element("id", "btn-advance").click()
    _wait(browser, lambda b: _row_status(b, job_id) == "RUNNABLE", "the job RUNNABLE")

    assert server.mock.now_ms() == before + 1500


def test_a_reason_written_in_html_shows_as_text(browser: Any, server: ThreadedServer) -> None:
    reason = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>b</b>'
    job_id = _submit(
        server, "html", tags={"owner": "<em>me</em>"}, parameters={"p": "<u>under</u>"}
    )
    client(server).cancel_job(jobId=job_id, reason=reason)
    _open(browser, server, "#/jobs")

    _wait(browser, lambda b: _row_status(b, job_id) == "FAILED", "the cancelled job FAILED")
    assert _text(browser, f'#jobs tr[data-job-id="{job_id}"] td.reason') == reason

    browser.get(server.dashboard_url + f"#/job/{job_id}")
    _wait(browser, lambda b: _text(b, "#job-fields"), "the job's fields")
    fields = _text(browser, "#job-fields")
    assert reason in fields
    assert '{"owner":"<em>me</em>"}' in fields
    assert '{"p":"<u>under</u>"}' in fields
    browser.get(server.dashboard_url + "#/timeline")
    _wait(browser, lambda b: b.find_elements("css selector", "#gantt .g-row"), "the timeline")

    for tag in ("script", "img", "b", "em", "u"):
        assert not browser.find_elements("css selector", f"main {tag}"), tag
    assert browser.execute_script("return window.__pwned;") is None


def test_a_screenshot_of_a_few_dozen_jobs(
    browser: Any, server: ThreadedServer, artifacts: Path
) -> None:
    batch = client(server)
    make_ce(batch, name="spot", max_vcpus=2)
    make_queue(batch, name="nightly", ce="spot", priority=5)
    server.mock.set_outcomes(
        [
            {"match": {"jobName": "train-7"}, "exitCode": 3, "reason": "OutOfMemoryError"},
            {"match": {"jobName": "train-2*"}, "duration": 3600},
        ]
    )
    previous: list[str] = []
    for i in range(30):
        depends = [{"jobId": previous[-1]}] if i % 6 == 5 else []
        previous.append(_submit(server, f"train-{i}", dependsOn=depends))
        server.mock.advance(0.7)
    batch.submit_job(
        jobName="render", jobQueue="nightly", jobDefinition="jd", arrayProperties={"size": 12}
    )
    batch.cancel_job(jobId=_submit(server, "cancelled"), reason="superseded by a newer build")
    server.mock.advance(12)

    shots = {}
    for name, route, ready in (
        ("overview", "#/", "#job-queues"),
        ("jobs", "#/jobs", "#jobs"),
        ("timeline", "#/timeline", "#gantt .g-row"),
    ):
        _open(browser, server, route)
        _wait(browser, lambda b, sel=ready: b.find_elements("css selector", sel), name)
        path = artifacts / f"dashboard-{name}.png"
        assert browser.save_screenshot(str(path))
        shots[name] = path

    for path in shots.values():
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 10_000
    rows = browser.find_elements("css selector", "#gantt .g-row")
    assert len(rows) == 32


def test_an_array_parent_links_to_its_children(browser: Any, server: ThreadedServer) -> None:
    server.mock.set_outcomes([{"match": {"arrayIndex": 2}, "exitCode": 1}])
    parent = _submit(server, "fan", arrayProperties={"size": 4})
    server.mock.run_until_idle()
    _open(browser, server, "#/jobs")

    row = f'#jobs tr[data-job-id="{parent}"]'
    _wait(browser, lambda b: "SUCC 3" in _text(b, row) and "FAIL 1" in _text(b, row), "summary")
    _wait(
        browser,
        lambda b: b.find_element("link text", "4 children").click() or True,
        "the children link",
    )
    _wait(browser, lambda b: _row_status(b, f"{parent}:3") == "SUCCEEDED", "the children")

    statuses = [_row_status(browser, f"{parent}:{i}") for i in range(4)]
    assert statuses == ["SUCCEEDED", "SUCCEEDED", "FAILED", "SUCCEEDED"]
    assert _text(browser, "#jobs-title").startswith(f"Children of {parent}")

    # the overview: the queue's jobs as ListJobs counts them (the parent FAILED), children apart
    _open(browser, server, "#/")
    cell = '#job-queues tr[data-queue="q"] td[data-status="{}"]'
    _wait(browser, lambda b: _text(b, cell.format("FAILED")) == "1 +1", "the failed counts")
    assert _text(browser, cell.format("SUCCEEDED")) == "0 +3"
    assert _text(browser, cell.format("RUNNING")) == "0"


def test_the_real_clock_has_no_control_buttons(browser: Any) -> None:
    with ThreadedServer(clock="real") as server:
        _open(browser, server, "#/")
        assert _text(browser, "#clock").startswith("real clock")
        assert not browser.find_element("id", "controls").is_displayed()
