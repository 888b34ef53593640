"""Timelines: each job's status history on the mock's clock, as data, as text and as HTML.

The data (:func:`timeline`) feeds the dashboard's Gantt chart; :func:`report` is the text the
pytest plugin adds to a failing test's report; :func:`render_html` is the self-contained page
``BatchMock.save_timeline`` writes. Up to ``limit`` jobs are drawn one row each; beyond that the
chart is aggregated (jobs per status over time) and the newest ``limit`` jobs keep their rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from batchmock.engine.states import STATUSES, TERMINAL

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend
    from batchmock.engine.job import Job

ROW_LIMIT = 300
"""Jobs drawn one row each; more are aggregated."""
BINS = 120
"""Columns of the aggregated chart."""


def top_level_jobs(backends: Sequence[BatchBackend], queue_arn: str | None = None) -> list[Job]:
    """Jobs as ListJobs shows them (no array children or nodes), in creation order."""
    found: list[Job] = []
    for backend in backends:
        with backend.lock:
            jobs = backend.engine.jobs()  # creation order
            if queue_arn is None:
                found.extend([job for job in jobs if job.parent is None])
            else:
                found.extend(
                    [job for job in jobs if job.parent is None and job.spec.queue.arn == queue_arn]
                )
    if len(backends) > 1:
        found.sort(key=lambda job: (job.created_at, job.seq))
    return found


def row(job: Job) -> dict[str, Any]:
    """One job of the chart: its history and attempts (every value as the API shows it)."""
    return {
        "jobId": job.job_id,
        "jobName": job.name,
        "queue": job.spec.queue.name,
        "status": job.status,
        "statusReason": job.status_reason,
        "history": [[status, at] for status, at in job.status_history],
        "attempts": [
            {
                "startedAt": a.started_at,
                "stoppedAt": a.stopped_at,
                "exitCode": a.exit_code,
                "reason": a.reason,
                "statusReason": a.status_reason,
            }
            for a in job.attempts
        ],
        "arraySize": job.spec.array_size if job.parent is None else None,
        "nodes": len(job.children) if job.is_multinode_parent else None,
        "exitCode": job.exit_code,
    }


def timeline(
    backends: Sequence[BatchBackend],
    now_ms: int,
    *,
    queue_arn: str | None = None,
    limit: int = ROW_LIMIT,
) -> dict[str, Any]:
    """The chart's data: ``rows`` (one per job, newest ``limit`` when there are more) and, past
    ``limit`` jobs, ``bins``: how many jobs were in each status over ``BINS`` equal spans."""
    jobs = top_level_jobs(backends, queue_arn)
    start = jobs[0].created_at if jobs else now_ms
    end = max([now_ms, start + 1000] + [job.status_history[-1][1] for job in jobs[-1:]])
    shown = jobs[-limit:] if limit > 0 else []
    found: dict[str, Any] = {
        "now": now_ms,
        "start": start,
        "end": end,
        "total": len(jobs),
        "rows": [row(job) for job in shown],
        "bins": None,
    }
    if len(jobs) > limit:
        found["bins"] = aggregate(jobs, start, end, BINS)
    return found


def aggregate(jobs: Iterable[Job], start: int, end: int, bins: int) -> dict[str, Any]:
    """Jobs per status at the start of each of ``bins`` equal spans of [start, end].

    One pass over the histories with a difference array per status (integer arithmetic only):
    linear in the number of history entries, whatever the number of bins.
    """
    span = max(end - start, 1)
    diff = {status: [0] * (bins + 2) for status in STATUSES}
    terminal = TERMINAL
    for job in jobs:
        history = job.status_history
        last = len(history) - 1
        for i, (status, since) in enumerate(history):
            # the first bin whose start is at or after ``since``: ceil((since-start)*bins/span)
            first = -((start - since) * bins // span)
            if first < 0:
                first = 0
            if i == last or status in terminal:
                until_bin = bins
            else:
                until_bin = -((start - history[i + 1][1]) * bins // span)
                if until_bin > bins:
                    until_bin = bins
            if first < until_bin:
                changes = diff[status]
                changes[first] += 1
                changes[until_bin] -= 1
    counts: dict[str, list[int]] = {}
    for status, changes in diff.items():
        running, series = 0, []
        for change in changes[:bins]:
            running += change
            series.append(running)
        counts[status] = series
    return {"width": span / bins, "counts": counts}


# -- text: the failure report ------------------------------------------------------------------
def report(
    backends: Sequence[BatchBackend],
    now_ms: int,
    clock: str,
    label: str = "mock",
    max_jobs: int = 40,
) -> str:
    """Every job (children and nodes too) with its status history, attempts and reason.

    Times are seconds after the first job's creation on the mock's clock. More than
    ``max_jobs`` jobs: the first and last half are shown and the rest counted.
    """
    jobs: list[Job] = []
    for backend in backends:
        with backend.lock:
            jobs.extend(backend.engine.jobs())
    jobs.sort(key=lambda job: (job.created_at, job.seq))
    if not jobs:
        return f"{label}: no jobs ({clock} clock, now {_iso(now_ms)})"
    t0 = jobs[0].created_at
    lines = [
        f"{label}: {len(jobs)} job(s), {clock} clock; +seconds after {_iso(t0)} "
        f"(now +{_seconds(now_ms - t0)})"
    ]
    if len(jobs) > max_jobs > 0:
        head = max(1, max_jobs // 2)
        tail = max(1, max_jobs - head)
        lines += [_job_text(job, t0) for job in jobs[:head]]
        lines.append(f"  ... {len(jobs) - head - tail} job(s) left out ...")
        lines += [_job_text(job, t0) for job in jobs[-tail:]]
    else:
        lines += [_job_text(job, t0) for job in jobs]
    return "\n".join(lines)


def _job_text(job: Job, t0: int) -> str:
    title = f"  {job.name} [{job.job_id}] queue {job.spec.queue.name}: {job.status}"
    if job.exit_code is not None:
        title += f" (exit {job.exit_code})"
    parts = [title]
    history = "  ".join(f"{status} +{_seconds(at - t0)}" for status, at in job.status_history)
    parts.append(f"      {history}")
    for n, attempt in enumerate(job.attempts, 1):
        text = f"      attempt {n}:"
        if attempt.started_at is not None:
            text += f" +{_seconds(attempt.started_at - t0)}"
        if attempt.stopped_at is not None:
            text += f"..+{_seconds(attempt.stopped_at - t0)}"
        text += f" exit {attempt.exit_code}" if attempt.exit_code is not None else " no exit code"
        if attempt.reason:
            text += f", reason {attempt.reason!r}"
        if attempt.status_reason:
            text += f", statusReason {attempt.status_reason!r}"
        parts.append(text)
    if job.status_reason:
        parts.append(f"      statusReason: {job.status_reason!r}")
    return "\n".join(parts)


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}s"


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
