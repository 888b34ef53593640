"""The timeline as one self-contained HTML file: inline CSS, no script, no external reference.

Every value that came from a request (names, reasons) is escaped: the page shows them as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from batchmock.engine.states import STATUSES, TERMINAL
from batchmock.observe.timeline import ROW_LIMIT, _iso, _seconds, timeline

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend

COLORS = {
    "SUBMITTED": "#8c959f",
    "PENDING": "#8250df",
    "RUNNABLE": "#d4a72c",
    "STARTING": "#54aeff",
    "RUNNING": "#0969da",
    "SUCCEEDED": "#1a7f37",
    "FAILED": "#cf222e",
}

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#59636e;margin-bottom:12px}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;
vertical-align:-1px}
.chart{border:1px solid #d1d9e0;border-radius:6px;padding:8px;margin-top:12px}
.row{display:flex;align-items:center;height:20px}
.name{width:260px;flex:none;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;
padding-right:8px;font-family:ui-monospace,monospace;font-size:12px}
.track{position:relative;flex:1;height:14px;background:#f6f8fa;border-radius:3px}
.seg{position:absolute;top:0;height:14px;min-width:1px}
.status{width:90px;flex:none;text-align:right;font-size:12px;padding-left:8px}
.agg{display:flex;align-items:flex-end;height:160px;gap:1px}
.col{flex:1;display:flex;flex-direction:column-reverse;height:100%}
"""


def render_html(
    backends: Sequence[BatchBackend],
    now_ms: int,
    clock: str,
    title: str = "batchmock timeline",
    limit: int = ROW_LIMIT,
) -> str:
    """The page: a Gantt row per job (newest ``limit``), aggregated counts past ``limit``."""
    data = timeline(backends, now_ms, limit=limit)
    start, end = data["start"], data["end"]
    span = max(end - start, 1)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<div class="meta">{data["total"]} job(s) on the {escape(clock)} clock, from '
        f"{_iso(start)} to {_iso(end)} ({_seconds(end - start)})</div>",
        '<div class="legend">',
    ]
    parts += [
        f'<span><i style="background:{color}"></i>{status}</span>'
        for status, color in COLORS.items()
    ]
    parts.append("</div>")
    if data["bins"] is not None:
        parts.append(_aggregate(data["bins"], data["total"]))
        parts.append(f'<div class="meta">The newest {len(data["rows"])} jobs:</div>')
    parts.append('<div class="chart">')
    for item in data["rows"]:
        parts.append(_row(item, start, end, span))
    parts.append("</div></body></html>")
    return "\n".join(parts)


def _row(item: dict[str, Any], start: int, end: int, span: int) -> str:
    history = item["history"]
    segments = []
    for i, (status, since) in enumerate(history):
        until = history[i + 1][1] if i + 1 < len(history) else end
        if status in TERMINAL:
            until = max(since + span // 200, since + 1)  # a tick for the terminal state
        left = 100.0 * (since - start) / span
        width = max(100.0 * (min(until, end) - since) / span, 0.15)
        tip = f"{status} at +{_seconds(since - start)}"
        segments.append(
            f'<div class="seg" style="left:{left:.3f}%;width:{width:.3f}%;'
            f'background:{COLORS.get(status, "#888")}" title="{escape(tip)}"></div>'
        )
    details = [f"{item['jobName']} ({item['jobId']}) {item['status']}"]
    if item["statusReason"]:
        details.append(f"statusReason: {item['statusReason']}")
    for n, attempt in enumerate(item["attempts"], 1):
        details.append(f"attempt {n}: exit {attempt['exitCode']} {attempt['reason'] or ''}")
    return (
        f'<div class="row" title="{escape(chr(10).join(details))}">'
        f'<div class="name">{escape(item["jobName"])}</div>'
        f'<div class="track">{"".join(segments)}</div>'
        f'<div class="status" style="color:{COLORS.get(item["status"], "#888")}">'
        f"{escape(item['status'])}</div></div>"
    )


def _aggregate(bins: dict[str, Any], total: int) -> str:
    counts = bins["counts"]
    columns = len(next(iter(counts.values()))) if counts else 0
    peak = max([1] + [sum(counts[s][i] for s in STATUSES) for i in range(columns)])
    parts = [f'<div class="chart"><div class="meta">{total} jobs per status over time</div>']
    parts.append('<div class="agg">')
    for i in range(columns):
        cells = []
        for status in STATUSES:
            n = counts[status][i]
            if n:
                cells.append(
                    f'<div style="height:{100.0 * n / peak:.2f}%;'
                    f'background:{COLORS[status]}" title="{status}: {n}"></div>'
                )
        parts.append(f'<div class="col">{"".join(cells)}</div>')
    parts.append("</div></div>")
    return "".join(parts)
