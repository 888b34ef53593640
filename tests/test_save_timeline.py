"""BatchMock.save_timeline: the jobs' timeline as one self-contained HTML file."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from batchmock import mock_batch
from batchmock.observe.timeline_html import render_html
from tests.support import make_env, submit_job


class _Page(HTMLParser):
    """Every tag with its attributes, and the text of the elements of a few classes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.tags.append((tag, found))
        if tag not in ("meta", "link", "br", "img", "input"):
            self._open.append(found.get("class"))

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] in ("name", "status", "meta"):
            self.text.setdefault(str(self._open[-1]), []).append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def test_save_timeline_writes_a_self_contained_page(tmp_path: Path) -> None:
    reason = "<script>alert('x')</script> & more"
    with mock_batch(outcomes=[{"match": {"jobName": "b"}, "exitCode": 4}]) as mock:
        batch = mock.client()
        make_env(batch)
        ids = [submit_job(batch, jobName=name) for name in ("a", "b")]
        cancelled = submit_job(batch, jobName="c")
        batch.cancel_job(jobId=cancelled, reason=reason)
        mock.run_until_idle()
        written = mock.save_timeline(tmp_path / "timeline.html", title="nightly <run>")

    assert written == str(tmp_path / "timeline.html")
    text = (tmp_path / "timeline.html").read_text(encoding="utf-8")
    page = _parse(text)
    tags = [tag for tag, _ in page.tags]
    assert text.startswith("<!DOCTYPE html>")
    assert "script" not in tags
    assert "link" not in tags
    assert "img" not in tags
    assert all("src" not in attrs and "href" not in attrs for _, attrs in page.tags)
    assert "http://" not in text
    assert "https://" not in text
    assert "url(" not in text
    assert "<title>nightly &lt;run&gt;</title>" in text
    assert page.text["name"] == ["a", "b", "c"]
    assert page.text["status"] == ["SUCCEEDED", "FAILED", "FAILED"]
    assert "3 job(s) on the virtual clock" in page.text["meta"][0]
    rows = [attrs for tag, attrs in page.tags if attrs.get("class") == "row"]
    assert [row["title"].splitlines()[0] for row in rows] == [
        f"a ({ids[0]}) SUCCEEDED",
        f"b ({ids[1]}) FAILED",
        f"c ({cancelled}) FAILED",
    ]
    assert f"statusReason: {reason}" in rows[2]["title"]  # the reason as text, escaped
    assert "attempt 1: exit 4" in rows[1]["title"]
    segments = [attrs for tag, attrs in page.tags if attrs.get("class") == "seg"]
    assert len(segments) == 5 + 5 + 2  # SUBMITTED..SUCCEEDED/FAILED; SUBMITTED, FAILED


def test_past_its_row_limit_the_page_aggregates() -> None:
    with mock_batch() as mock:
        batch = mock.client()
        make_env(batch)
        for i in range(9):
            submit_job(batch, jobName=f"j{i}")
        mock.run_until_idle()
        text = render_html(mock.backends(), mock.now_ms(), "virtual", limit=4)

    page = _parse(text)
    columns = [attrs for tag, attrs in page.tags if attrs.get("class") == "col"]
    assert len(columns) == 120
    assert page.text["name"] == ["j5", "j6", "j7", "j8"]
    assert any("9 jobs per status over time" in line for line in page.text["meta"])
    first: Any = [a for t, a in page.tags if a.get("title", "").startswith("SUBMITTED: ")]
    assert first[0]["title"] == "SUBMITTED: 9"


def test_timeline_text_is_the_failure_reports_view() -> None:
    with mock_batch() as mock:
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch, jobName="one")
        mock.run_until_idle()
        text = mock.timeline_text()

    lines = text.splitlines()
    assert lines[0].startswith("mock: 1 job(s), virtual clock; +seconds after ")
    assert lines[1] == f"  one [{job_id}] queue q: SUCCEEDED (exit 0)"
    assert lines[2].strip().startswith("SUBMITTED +0.000s  RUNNABLE +")
