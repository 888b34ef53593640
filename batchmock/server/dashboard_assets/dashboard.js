// batchmock dashboard: polls the JSON under ./dashboard/api/ and builds the DOM with textContent
// only (data is never parsed as HTML): names, reasons and log lines show as the text they are.
"use strict";

(function () {
  const BASE = location.pathname.replace(/\/+$/, "");
  const API = BASE + "/api/";
  const CONTROL = BASE.replace(/\/dashboard$/, "/");
  const STATUSES = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"];
  const POLL_MS = 1000;
  const PAGE = 50;

  let overview = null;
  let route = null;
  let pollTimer = null;
  let generation = 0; // a route change makes older answers stale
  let shown = null; // the data on screen: an unchanged answer leaves the DOM alone

  // -- DOM helpers: text only --------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = String(value);
      else if (key === "style") Object.assign(el.style, value);
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
    return el;
  }
  const $ = (id) => document.getElementById(id);
  function badge(status) {
    return h("span", { class: "badge s-" + (STATUSES.includes(status) ? status : "x"), text: status });
  }
  function iso(ms) {
    if (ms === null || ms === undefined) return "";
    return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
  }
  function seconds(ms) {
    if (ms === null || ms === undefined) return "";
    const s = ms / 1000;
    if (Math.abs(s) < 120) return s.toFixed(s < 10 ? 2 : 1) + " s";
    if (Math.abs(s) < 7200) return (s / 60).toFixed(1) + " min";
    return (s / 3600).toFixed(1) + " h";
  }
  function clock(ms) {
    return ms === null || ms === undefined ? "" : iso(ms).slice(11);
  }
  function jobLink(id, label) {
    return h("a", { href: "#/job/" + encodeURIComponent(id), text: label || id, class: "mono" });
  }
  function shortId(id) {
    const cut = id.indexOf("-") > 0 ? id.indexOf("-") : 8;
    const rest = id.replace(/^[^:#]*/, "");
    return id.slice(0, cut) + "…" + rest;
  }
  function queueHref(arn, extra) {
    const params = new URLSearchParams(Object.assign({ queue: arn }, extra || {}));
    return "#/jobs?" + params.toString();
  }
  function replace(el, ...children) {
    el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  }
  function say(text, isError) {
    const box = $("message");
    box.textContent = text || "";
    box.hidden = !text;
    box.classList.toggle("error", !!isError);
  }

  // -- data ---------------------------------------------------------------------------------
  async function getJSON(name, params) {
    const query = params ? "?" + new URLSearchParams(params).toString() : "";
    const response = await fetch(API + name + query, { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.message || response.statusText);
    return body;
  }
  async function control(action, body) {
    const buttons = document.querySelectorAll(".controls button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      const response = await fetch(CONTROL + action, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body || {}),
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.message || response.statusText);
      say("");
    } catch (err) {
      say(action + ": " + err.message, true);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      refresh();
    }
  }

  // -- routing ------------------------------------------------------------------------------
  function parseRoute() {
    const raw = location.hash.replace(/^#/, "") || "/";
    const [path, query] = raw.split("?");
    const params = Object.fromEntries(new URLSearchParams(query || ""));
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] === "job" && parts[1]) return { view: "job", id: parts[1], params };
    if (parts[0] === "jobs") return { view: "jobs", params };
    if (parts[0] === "timeline") return { view: "timeline", params };
    return { view: "overview", params };
  }
  function changed(...data) {
    const key = JSON.stringify(data);
    if (key === shown) return false;
    shown = key;
    return true;
  }
  function onRoute() {
    const previous = route;
    route = parseRoute();
    generation += 1;
    shown = null;
    const sameList = previous && previous.view === "jobs" && route.view === "jobs" &&
      (previous.params.parent || "") === (route.params.parent || "");
    for (const a of document.querySelectorAll("#nav a")) {
      a.classList.toggle("active", a.dataset.view === (route.view === "job" ? "jobs" : route.view));
    }
    if (!sameList) {
      // a filter change keeps the toolbar (and the focus in the name box)
      replace($("view"), h("p", { class: "muted", text: "Loading…" }));
      scaffold = null;
    }
    refresh();
  }

  // -- polling ------------------------------------------------------------------------------
  async function refresh() {
    clearTimeout(pollTimer);
    const mine = generation;
    try {
      overview = await getJSON("overview");
      renderHeader();
      const views = { overview: renderOverview, jobs: renderJobs, job: renderJob, timeline: renderTimeline };
      await views[route.view](mine);
      $("live").classList.remove("stale");
    } catch (err) {
      $("live").classList.add("stale");
      if (mine === generation) say(String(err.message || err), true);
    } finally {
      if (mine === generation) pollTimer = setTimeout(refresh, POLL_MS);
    }
  }

  function renderHeader() {
    $("clock").textContent = overview.clock + " clock · " + iso(overview.now);
    $("controls").hidden = overview.clock !== "virtual";
  }

  // -- overview -----------------------------------------------------------------------------
  async function renderOverview(mine) {
    if (mine !== generation || !changed(overview.totals, overview.backends)) return;
    const cards = h("div", { class: "cards", id: "totals" },
      STATUSES.map((s) => h("a", { class: "card", href: "#/jobs?status=" + s, "data-status": s },
        h("div", { class: "n", text: overview.totals[s] }), h("div", { class: "k" }, badge(s)))));
    const sections = [h("h2", { text: "Jobs by status" }), cards];
    for (const b of overview.backends) {
      const where = overview.backends.length > 1 ? " · " + b.accountId + " / " + b.region : "";
      sections.push(h("h2", { text: "Compute environments" + where }));
      sections.push(b.computeEnvironments.length ? ceTable(b.computeEnvironments)
        : h("p", { class: "muted", text: "No compute environments." }));
      sections.push(h("h2", { text: "Job queues" + where }));
      sections.push(b.jobQueues.length ? queueTable(b.jobQueues)
        : h("p", { class: "muted", text: "No job queues." }));
    }
    if (!overview.backends.length) sections.push(h("p", { class: "muted", text: "Nothing created yet." }));
    replace($("view"), sections);
  }
  function ceTable(ces) {
    return h("table", { id: "compute-environments" },
      h("thead", {}, h("tr", {}, ["Name", "Type", "State", "Status", "Capacity in use", "Status reason"]
        .map((t) => h("th", { text: t })))),
      h("tbody", {}, ces.map((ce) => {
        const max = ce.maxvCpus;
        const used = ce.usedvCpus || 0;
        const bar = h("span", { class: "bar" }, h("span", {
          style: { width: max ? Math.min(100, (100 * used) / max) + "%" : "0" } }));
        return h("tr", {},
          h("td", { class: "mono", text: ce.name }),
          h("td", { text: ce.type + (ce.resourceType ? " · " + ce.resourceType : "") }),
          h("td", { text: ce.state }), h("td", { text: ce.status }),
          h("td", {}, bar, used + " / " + (max === null ? "unmanaged" : max) + " vCPUs"),
          h("td", { class: "reason", text: ce.statusReason || "" }));
      })));
  }
  // Counts are ListJobs' on the queue (top-level jobs: an array parent, not its children);
  // array children and multi-node nodes, which ListJobs lists under their parent, come after.
  function childCount(counts, status) {
    const n = (counts || {})[status] || 0;
    return n ? h("span", { class: "children muted", title: n + " array children or multi-node nodes " + status,
      text: " +" + n }) : null;
  }
  function queueTable(queues) {
    return h("table", { id: "job-queues" },
      h("thead", {}, h("tr", {}, ["Name", "State", "Status", "Priority", "Scheduling",
        "Runnable", "Running", "Succeeded", "Failed", "Blocked head"].map((t, i) =>
        h("th", { class: i >= 5 && i <= 8 ? "num" : null, text: t })))),
      h("tbody", {}, queues.map((q) => h("tr", { "data-queue": q.name },
        h("td", {}, h("a", { href: queueHref(q.arn), class: "mono", text: q.name })),
        h("td", { text: q.state }), h("td", { text: q.status }),
        h("td", { class: "num", text: q.priority }),
        h("td", { text: q.schedulingPolicy }),
        ["RUNNABLE", "RUNNING", "SUCCEEDED", "FAILED"].map((s) => h("td", { class: "num", "data-status": s },
          h("a", { href: queueHref(q.arn, { status: s }), text: q.counts[s] }),
          childCount(q.childCounts, s))),
        h("td", { class: "reason" }, q.blockedReason
          ? [jobLink(q.blockedJobId, "head"), " ", q.blockedReason] : "")))));
  }

  // -- jobs ---------------------------------------------------------------------------------
  let scaffold = null;
  function allQueues() {
    return overview.backends.flatMap((b) => b.jobQueues);
  }
  function setParams(changes) {
    const params = Object.assign({}, route.params, changes);
    for (const key of Object.keys(params)) if (params[key] === "" || params[key] === null) delete params[key];
    location.hash = "#/jobs?" + new URLSearchParams(params).toString();
  }
  function jobsScaffold() {
    const params = route.params;
    const queueSelect = h("select", { id: "filter-queue", onchange: (e) => setParams({ queue: e.target.value, offset: "" }) });
    const statusSelect = h("select", { id: "filter-status", onchange: (e) => setParams({ status: e.target.value, offset: "" }) },
      h("option", { value: "", text: "any status" }), STATUSES.map((s) => h("option", { value: s, text: s })));
    statusSelect.value = params.status || "";
    const nameInput = h("input", { id: "filter-name", type: "search", placeholder: "name contains…", value: params.name || "" });
    let typing = null;
    nameInput.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => setParams({ name: nameInput.value, offset: "" }), 300);
    });
    const title = h("h2", { id: "jobs-title" });
    const table = h("div", { id: "jobs-table" });
    const pager = h("div", { class: "pager", id: "pager" });
    const toolbar = h("div", { class: "toolbar" }, params.parent ? null : queueSelect, statusSelect, nameInput);
    replace($("view"), title, toolbar, table, pager);
    return { queueSelect, statusSelect, nameInput, title, table, pager };
  }
  async function renderJobs(mine) {
    const params = route.params;
    const queues = allQueues();
    if (!params.parent && !params.queue && queues.length) params.queue = queues[0].arn;
    if (!scaffold) scaffold = jobsScaffold();
    const s = scaffold;
    if (!params.parent) {
      const key = JSON.stringify(queues.map((q) => q.arn));
      if (key !== s.queueKey) {
        s.queueKey = key;
        replace(s.queueSelect, queues.map((q) => h("option", { value: q.arn, text: q.name })));
      }
      s.queueSelect.value = params.queue || "";
    }
    if (!params.parent && !params.queue) {
      s.title.textContent = "Jobs";
      replace(s.table, h("p", { class: "muted", text: "No job queues yet." }));
      return;
    }
    s.statusSelect.value = params.status || "";
    const offset = parseInt(params.offset || "0", 10) || 0;
    const query = { offset: String(offset), limit: String(PAGE) };
    if (params.parent) query.parent = params.parent; else query.queue = params.queue;
    if (params.status) query.status = params.status;
    if (params.name) query.name = params.name;
    const page = await getJSON("jobs", query);
    if (mine !== generation || !changed(page, params)) return;
    replace(s.title, params.parent
      ? ["Children of ", jobLink(params.parent)]
      : ["Jobs of queue ", h("span", { class: "mono", text: page.queue })],
    h("span", { class: "muted", text: " · " + page.total + " job(s)" + (params.status ? " " + params.status : "") }));
    s.table.replaceChildren(page.jobs.length ? jobsTable(page.jobs, !!params.parent)
      : h("p", { class: "muted", text: "No jobs match." }));
    const last = Math.min(page.offset + page.jobs.length, page.total);
    replace(s.pager,
      h("button", { type: "button", id: "page-prev", disabled: page.offset === 0,
        onclick: () => setParams({ offset: String(Math.max(0, page.offset - PAGE)) }), text: "‹ Newer" }),
      h("span", { class: "muted", text: (page.total ? page.offset + 1 : 0) + "–" + last + " of " + page.total }),
      h("button", { type: "button", id: "page-next", disabled: last >= page.total,
        onclick: () => setParams({ offset: String(page.offset + PAGE) }), text: "Older ›" }));
  }
  function jobsTable(jobs, children) {
    return h("table", { id: "jobs" },
      h("thead", {}, h("tr", {}, [children ? "Index" : "Name", "Job ID", "Status", "Created",
        "Started", "Stopped", "Exit", "Array / nodes", "Status reason"].map((t) => h("th", { text: t })))),
      h("tbody", {}, jobs.map((j) => h("tr", { "data-job-id": j.jobId, "data-status": j.status },
        h("td", { class: "nowrap" }, children ? String(childIndex(j)) : jobLink(j.jobId, j.jobName)),
        h("td", { title: j.jobId }, jobLink(j.jobId, shortId(j.jobId))),
        h("td", {}, badge(j.status)),
        h("td", { class: "mono", title: iso(j.createdAt), text: clock(j.createdAt) }),
        h("td", { class: "mono", title: iso(j.startedAt), text: clock(j.startedAt) }),
        h("td", { class: "mono", title: iso(j.stoppedAt), text: clock(j.stoppedAt) }),
        h("td", { class: "num", text: j.container && j.container.exitCode !== undefined ? j.container.exitCode : "" }),
        h("td", {}, groupCell(j)),
        h("td", { class: "reason", text: j.statusReason || "" })))));
  }
  function childIndex(j) {
    if (j.arrayProperties && j.arrayProperties.index !== undefined) return j.arrayProperties.index;
    if (j.nodeProperties && j.nodeProperties.nodeIndex !== undefined) return "node " + j.nodeProperties.nodeIndex;
    return "";
  }
  function groupCell(j) {
    const parts = [];
    const array = j.arrayProperties;
    if (array && array.size !== undefined) {
      parts.push(h("a", { href: "#/jobs?parent=" + encodeURIComponent(j.jobId), text: array.size + " children" }));
      parts.push(summary(array.statusSummary || {}));
    }
    const nodes = j.nodeProperties;
    if (nodes && nodes.numNodes !== undefined) {
      parts.push(h("a", { href: "#/jobs?parent=" + encodeURIComponent(j.jobId), text: nodes.numNodes + " nodes" }));
    }
    return parts;
  }
  function summary(counts) {
    return h("div", { class: "summary" }, STATUSES.filter((s) => counts[s]).map((s) =>
      h("span", { class: "badge s-" + s, title: s, text: s.slice(0, 4) + " " + counts[s] })));
  }

  // -- one job ------------------------------------------------------------------------------
  async function renderJob(mine) {
    const data = await getJSON("job", { id: route.id });
    if (mine !== generation || !changed(data)) return;
    const j = data.job;
    const container = j.container || {};
    const fields = [
      ["Job ID", j.jobId], ["ARN", j.jobArn], ["Queue", j.jobQueue],
      ["Definition", j.jobDefinition], ["Created", iso(j.createdAt)], ["Started", iso(j.startedAt)],
      ["Stopped", iso(j.stoppedAt)], ["Status reason", j.statusReason],
      ["Exit code", container.exitCode], ["Container reason", container.reason],
      ["Command", container.command ? JSON.stringify(container.command) : null],
      ["Image", container.image], ["Log stream", container.logStreamName],
      ["Parameters", j.parameters && Object.keys(j.parameters).length ? JSON.stringify(j.parameters) : null],
      ["Tags", j.tags && Object.keys(j.tags).length ? JSON.stringify(j.tags) : null],
    ].filter(([, v]) => v !== null && v !== undefined && v !== "");
    const dl = h("dl", { class: "fields", id: "job-fields" },
      fields.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { class: "mono", text: v })]));
    const t0 = data.statusHistory.length ? data.statusHistory[0][1] : j.createdAt;
    const history = h("table", { id: "status-history" },
      h("thead", {}, h("tr", {}, ["Status", "At", "After submit"].map((t) => h("th", { text: t })))),
      h("tbody", {}, data.statusHistory.map(([s, at]) => h("tr", {},
        h("td", {}, badge(s)), h("td", { class: "mono", text: iso(at) }), h("td", { text: seconds(at - t0) })))));
    const attempts = (j.attempts || []).length ? h("table", { id: "attempts" },
      h("thead", {}, h("tr", {}, ["#", "Started", "Stopped", "Exit code", "Reason", "Status reason", "Log stream"]
        .map((t) => h("th", { text: t })))),
      h("tbody", {}, j.attempts.map((a, i) => h("tr", {},
        h("td", { text: i + 1 }), h("td", { class: "mono", text: iso(a.startedAt) }),
        h("td", { class: "mono", text: iso(a.stoppedAt) }),
        h("td", { class: "num", text: a.container.exitCode !== undefined ? a.container.exitCode : "" }),
        h("td", { class: "reason", text: a.container.reason || "" }),
        h("td", { class: "reason", text: a.statusReason || "" }),
        h("td", { class: "mono", text: a.container.logStreamName || "" })))))
      : h("p", { class: "muted", text: "No attempt yet." });
    const deps = (j.dependsOn || []).length ? h("ul", { id: "dependencies" }, j.dependsOn.map((d) =>
      h("li", {}, jobLink(d.jobId), d.type ? " (" + d.type + ")" : "")))
      : h("p", { class: "muted", text: "No dependencies." });
    const related = [];
    if (data.parentId) related.push(h("p", {}, "Child of ", jobLink(data.parentId)));
    if (data.children) {
      related.push(h("p", {}, h("a", { href: "#/jobs?parent=" + encodeURIComponent(j.jobId), id: "children-link",
        text: data.children + (j.nodeProperties ? " nodes" : " children") + " →" })));
      if (j.arrayProperties && j.arrayProperties.statusSummary) related.push(summary(j.arrayProperties.statusSummary));
    }
    const logLines = data.logs.events.map((e) => h("div", { class: "line" },
      h("span", { class: "ts", text: iso(e.timestamp) }), h("span", { class: "msg", text: e.message })));
    if (data.logs.truncated) logLines.push(h("div", { class: "muted", text: "… " + data.logs.truncated + " more line(s)" }));
    const logs = logLines.length ? h("pre", { class: "logs", id: "logs" }, logLines)
      : h("p", { class: "muted", id: "logs", text: "No log lines in CloudWatch Logs yet." });
    const raw = h("details", {}, h("summary", { text: "DescribeJobs JSON" }),
      h("pre", { class: "mono", text: JSON.stringify(j, null, 2) }));
    replace($("view"),
      h("h2", { id: "job-title" }, h("span", { class: "mono", text: j.jobName }), " ", badge(j.status)),
      related, h("div", { class: "split" },
        h("div", {}, dl),
        h("div", {}, h("h3", { text: "Status history" }), history)),
      h("h2", { text: "Attempts" }), attempts,
      h("h2", { text: "Dependencies" }), deps,
      h("h2", { text: "Logs (CloudWatch Logs)" }), logs,
      h("h2", { text: "Details" }), raw);
  }

  // -- timeline -----------------------------------------------------------------------------
  async function renderTimeline(mine) {
    const params = {};
    if (route.params.queue) params.queue = route.params.queue;
    const data = await getJSON("timeline", params);
    if (mine !== generation || !changed(data)) return;
    const span = Math.max(data.end - data.start, 1);
    const legend = h("div", { class: "legend" }, STATUSES.map((s) =>
      h("span", {}, h("i", { style: { background: "var(--" + s + ")" } }), s)));
    const parts = [h("h2", { text: "Timeline · " + data.total + " job(s) over " + seconds(span) + " of the mock's clock" }), legend];
    if (data.bins) parts.push(aggregateChart(data.bins, data.total),
      h("p", { class: "muted", text: "The newest " + data.rows.length + " jobs, one row each:" }));
    const rows = data.rows.map((r) => ganttRow(r, data.start, data.end, span));
    const axis = h("div", { class: "g-axis" }, [0, 0.25, 0.5, 0.75, 1].map((f) => h("span", { text: "+" + seconds(f * span) })));
    parts.push(h("div", { class: "gantt", id: "gantt" }, axis, rows.length ? rows : h("p", { class: "muted", text: "No jobs yet." })));
    replace($("view"), parts);
  }
  function ganttRow(r, start, end, span) {
    const track = h("div", { class: "g-track" });
    r.history.forEach(([status, since], i) => {
      const terminal = status === "SUCCEEDED" || status === "FAILED";
      let until = i + 1 < r.history.length ? r.history[i + 1][1] : end;
      if (terminal) until = since + span / 150;
      const left = (100 * (since - start)) / span;
      const width = Math.max((100 * (Math.min(until, end) - since)) / span, 0.2);
      track.appendChild(h("div", { class: "g-seg", title: status + " at +" + seconds(since - start),
        style: { left: left + "%", width: width + "%", background: "var(--" + status + ")" } }));
    });
    const tip = [r.jobName + " (" + r.jobId + ")", r.status, r.statusReason || ""]
      .concat(r.attempts.map((a, i) => "attempt " + (i + 1) + ": exit " + a.exitCode + (a.reason ? " " + a.reason : "")));
    return h("div", { class: "g-row", title: tip.filter(Boolean).join("\n"), "data-job-id": r.jobId },
      h("div", { class: "g-name" }, jobLink(r.jobId, r.jobName)), track,
      h("div", { class: "g-status", style: { color: "var(--" + r.status + ")" }, text: r.status }));
  }
  function aggregateChart(bins, total) {
    const columns = bins.counts.SUBMITTED.length;
    let peak = 1;
    for (let i = 0; i < columns; i++) peak = Math.max(peak, STATUSES.reduce((n, s) => n + bins.counts[s][i], 0));
    const cols = [];
    for (let i = 0; i < columns; i++) {
      cols.push(h("div", { class: "agg-col" }, STATUSES.filter((s) => bins.counts[s][i]).map((s) =>
        h("div", { title: s + ": " + bins.counts[s][i], style: { height: (100 * bins.counts[s][i]) / peak + "%", background: "var(--" + s + ")" } }))));
    }
    return h("div", { class: "gantt", id: "aggregate" },
      h("div", { class: "muted", text: total + " jobs per status over time (peak " + peak + ")" }),
      h("div", { class: "agg" }, cols));
  }

  // -- start --------------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", () => {
    $("btn-advance").addEventListener("click", () => {
      const value = parseFloat($("advance-seconds").value);
      control("advance", { seconds: isFinite(value) ? value : 0 });
    });
    $("btn-idle").addEventListener("click", () => control("run-until-idle"));
    $("btn-reset").addEventListener("click", () => {
      if (confirm("Drop every resource and job of this mock?")) control("reset");
    });
    window.addEventListener("hashchange", onRoute);
    onRoute();
  });
})();
