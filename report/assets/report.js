// rift's report page: decodes the embedded data and draws the timeline, the fault bands, the
// plots and the partial linearisations on canvases. Written for rift; no library, no network.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("rift-data").textContent);
  const LEFT = 120; // the label gutter, the same on every canvas that shares the time axis
  const LANE_H = 16;
  const COLORS = { 0: "#2e8b57", 1: "#c0392b", 2: "#d68910" };
  const OUTCOMES = ["ok", "fail", "info"];

  // ---- data ---------------------------------------------------------------------------------
  function varints(b64, n, Arr) {
    const bin = atob(b64);
    const out = new Arr(n);
    let k = 0, v = 0, mul = 1;
    for (let i = 0; i < bin.length && k < n; i++) {
      const byte = bin.charCodeAt(i);
      v += (byte & 0x7f) * mul;
      if (byte & 0x80) { mul *= 128; } else { out[k++] = v; v = 0; mul = 1; }
    }
    return out;
  }
  const C = D.calls, N = C.n;
  const inv = varints(C.inv, N, Float64Array);
  for (let i = 1; i < N; i++) inv[i] += inv[i - 1];
  const lat = varints(C.lat, N, Float64Array);
  const lane = varints(C.lane, N, Uint32Array);
  const fcol = varints(C.f, N, Uint16Array);
  const out = varints(C.out, N, Uint8Array);
  const nodeCol = varints(C.node, N, Uint32Array);
  const keyCol = varints(C.key, N, Uint32Array);
  const valCol = varints(C.val, N, Uint32Array);
  const errCol = varints(C.err, N, Uint32Array);
  const opCol = varints(C.op, N, Float64Array);
  for (let i = 1; i < N; i++) opCol[i] += opCol[i - 1];
  const END = Math.max(D.end, 1);
  const TICK = D.tick_ns;
  const cmp = new Float64Array(N); // completion tick, or -1
  for (let i = 0; i < N; i++) cmp[i] = lat[i] === 0 ? -1 : inv[i] + lat[i] - 1;
  // Where a call's bar ends: its completion, or the end of the axis for info (it may take effect
  // until the end).
  function barEnd(i) { return out[i] === 2 || cmp[i] < 0 ? END : cmp[i]; }

  // Each lane's calls, in invocation order, and the longest completed call among them (an info
  // call is always its lane's last: a process is never reused after it).
  const L = D.lanes.length;
  const laneStart = new Uint32Array(L + 1);
  for (let i = 0; i < N; i++) laneStart[lane[i] + 1]++;
  for (let l = 0; l < L; l++) laneStart[l + 1] += laneStart[l];
  const laneCalls = new Uint32Array(N);
  const fill = laneStart.slice(0, L);
  for (let i = 0; i < N; i++) laneCalls[fill[lane[i]]++] = i;
  const laneLongest = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    for (let k = laneStart[l]; k < laneStart[l + 1]; k++) {
      const i = laneCalls[k];
      if (out[i] !== 2 && cmp[i] >= 0) laneLongest[l] = Math.max(laneLongest[l], cmp[i] - inv[i]);
    }
  }
  const witness = new Set(D.witness), named = new Set(D.named);

  // ---- view: the time window every time axis shows ------------------------------------------
  const view = { t0: 0, t1: END };
  let selected = -1;
  // Times in the unit the whole axis calls for: s for runs, ms or µs for short histories.
  const UNIT = END * TICK >= 1e9 ? [1e9, " s"] : END * TICK >= 1e6 ? [1e6, " ms"] : END * TICK >= 1e3 ? [1e3, " µs"] : [1, " ns"];
  function fmtTime(ticks) {
    const v = ticks * TICK / UNIT[0];
    return v.toFixed(v < 10 ? 3 : v < 100 ? 2 : 1) + UNIT[1];
  }
  function fmtMs(ticks) { return (ticks * TICK / 1e6).toFixed(2) + " ms"; }
  function sizeCanvas(c, cssH) {
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth || c.parentElement.clientWidth || 1000;
    const h = cssH || c.clientHeight || 150;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
    }
    const g = c.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { g, w, h };
  }
  function xOf(t, w) { return LEFT + (t - view.t0) / (view.t1 - view.t0) * (w - LEFT); }
  function tOf(x, w) { return view.t0 + (x - LEFT) / (w - LEFT) * (view.t1 - view.t0); }
  function niceStep(span, target) {
    const raw = span / target, p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }
  // Draws the fault bands in force on a canvas's time area.
  function drawBands(g, w, h) {
    for (const b of D.bands) {
      if (b.outcome === "skipped") continue;
      const x0 = Math.max(LEFT, xOf(b.start_ns / TICK, w)), x1 = Math.min(w, xOf(b.end_ns / TICK, w));
      if (x1 <= x0 - 1) continue;
      g.fillStyle = "rgba(192,57,43,0.10)";
      g.fillRect(x0, 0, Math.max(1, x1 - x0), h);
    }
  }
  function clampView() {
    const span = Math.max(view.t1 - view.t0, 1e-3);
    if (span >= END) { view.t0 = 0; view.t1 = END; return; }
    if (view.t0 < 0) { view.t0 = 0; view.t1 = span; }
    if (view.t1 > END) { view.t1 = END; view.t0 = END - span; }
  }

  // ---- axis and bands -----------------------------------------------------------------------
  const axis = document.getElementById("axis");
  function drawAxis() {
    const { g, w, h } = sizeCanvas(axis, 26);
    g.clearRect(0, 0, w, h);
    g.fillStyle = "#333"; g.strokeStyle = "#999"; g.font = "11px DejaVu Sans, sans-serif";
    g.beginPath(); g.moveTo(LEFT, 1); g.lineTo(w, 1); g.stroke();
    const step = niceStep(view.t1 - view.t0, 10);
    for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
      const x = xOf(t, w);
      g.beginPath(); g.moveTo(x, 1); g.lineTo(x, 6); g.stroke();
      g.fillText(fmtTime(t), x + 2, 17);
    }
    g.fillText("time", 4, 17);
    document.getElementById("range").textContent =
      "showing " + fmtTime(view.t0) + " to " + fmtTime(view.t1) + " of " + fmtTime(END);
  }
  const bandBox = document.getElementById("bands");
  const bandEls = D.bands.map(function (b) {
    const el = document.createElement("div");
    el.className = "band " + b.outcome;
    el.dataset.startNs = b.start_ns; el.dataset.endNs = b.end_ns;
    el.dataset.fault = b.name; el.dataset.outcome = b.outcome;
    const label = b.name + (b.targets ? " " + b.targets : "");
    el.textContent = label;
    el.title = label + "\n" + fmtTime(b.start_ns / TICK) + " to " +
      (b.open ? "the end (never undone)" : fmtTime(b.end_ns / TICK)) + "\n" + b.outcome +
      (b.reason ? ": " + b.reason : "");
    bandBox.appendChild(el);
    return el;
  });
  function placeBands() {
    const span = view.t1 - view.t0;
    D.bands.forEach(function (b, k) {
      const s = (b.start_ns / TICK - view.t0) / span * 100, e = (b.end_ns / TICK - view.t0) / span * 100;
      bandEls[k].style.left = s.toFixed(3) + "%";
      bandEls[k].style.width = Math.max(0.15, e - s).toFixed(3) + "%";
      bandEls[k].hidden = e < 0 || s > 100;
    });
  }

  // ---- timeline lanes -----------------------------------------------------------------------
  const scroller = document.getElementById("lanes-scroll");
  const spacer = document.getElementById("lanes-spacer");
  const lanesCanvas = document.getElementById("lanes");
  spacer.style.height = (L * LANE_H + 4) + "px";
  function laneLabel(l) {
    const ln = D.lanes[l];
    return (ln.node === null ? "" : D.nodes[ln.node] + " · ") + "process " + ln.process;
  }
  // The first position in lane l whose call may still be visible at time t.
  function firstVisible(l, t) {
    let lo = laneStart[l], hi = laneStart[l + 1];
    const from = t - laneLongest[l];
    while (lo < hi) { const m = (lo + hi) >> 1; if (inv[laneCalls[m]] < from) lo = m + 1; else hi = m; }
    return lo;
  }
  function drawLanes() {
    const viewH = Math.min(scroller.clientHeight || 560, L * LANE_H + 4);
    const { g, w, h } = sizeCanvas(lanesCanvas, Math.max(viewH, 20));
    g.clearRect(0, 0, w, h);
    const top = scroller.scrollTop;
    const first = Math.floor(top / LANE_H), last = Math.min(L - 1, Math.ceil((top + h) / LANE_H));
    drawBands(g, w, h);
    g.font = "11px DejaVu Sans, sans-serif";
    const marks = [], tails = [];
    for (let l = first; l <= last; l++) {
      const y = l * LANE_H - top;
      const ln = D.lanes[l];
      if (l === 0 || D.lanes[l - 1].node !== ln.node) {
        g.fillStyle = "#555"; g.fillRect(0, y, w, 1);
      } else {
        g.fillStyle = "#eee"; g.fillRect(LEFT, y, w - LEFT, 1);
      }
      g.fillStyle = "#333";
      g.fillText(laneLabel(l), 4, y + 12);
      // One bar per call; calls that share a pixel column and a colour are merged.
      let runColor = -1, runX0 = 0, runX1 = 0;
      const flush = function () {
        if (runColor < 0) return;
        g.fillStyle = COLORS[runColor];
        g.fillRect(runX0, y + 3, Math.max(1, runX1 - runX0), LANE_H - 6);
      };
      for (let k = firstVisible(l, view.t0); k < laneStart[l + 1]; k++) {
        const i = laneCalls[k];
        if (inv[i] > view.t1) break;
        if (barEnd(i) < view.t0) continue;
        // An info call's bar runs to its completion (if any); its tail to the end is drawn thin.
        const e = out[i] === 2 ? Math.max(cmp[i], inv[i]) : cmp[i];
        const x0 = Math.max(LEFT, xOf(inv[i], w)), x1 = Math.min(w, Math.max(LEFT, xOf(e, w)));
        if (out[i] === 2) tails.push([x1, y]);
        if (out[i] === runColor && x0 <= runX1 + 1) { runX1 = Math.max(runX1, x1); }
        else { flush(); runColor = out[i]; runX0 = x0; runX1 = Math.max(x1, x0 + 1); }
        if (witness.has(i) || named.has(i) || i === selected) marks.push([i, x0, x1, y]);
      }
      flush();
    }
    g.fillStyle = COLORS[2]; g.globalAlpha = 0.6;
    for (const [x, y] of tails) g.fillRect(x, y + LANE_H / 2 - 1, Math.max(0, w - x), 2);
    g.globalAlpha = 1;
    for (const [i, x0, x1, y] of marks) {
      g.lineWidth = 2.5;
      g.strokeStyle = i === selected ? "#000" : witness.has(i) ? "#7d3c98" : "#1f618d";
      g.strokeRect(x0 - 1.5, y + 1.5, Math.max(3, x1 - x0) + 3, LANE_H - 3);
      if (witness.has(i)) { g.fillStyle = "#7d3c98"; g.fillRect(x0 - 1.5, y, 4, 3); }
    }
    g.lineWidth = 1;
    g.fillStyle = "#fff"; g.fillRect(LEFT - 4, 0, 3, h);
  }
  // The call under a point of the lanes canvas, or -1.
  function callAt(x, y, w) {
    const l = Math.floor((y + scroller.scrollTop) / LANE_H);
    if (l < 0 || l >= L || x < LEFT) return -1;
    const t = tOf(x, w), slack = (view.t1 - view.t0) / (w - LEFT) * 2;
    let best = -1;
    for (let k = firstVisible(l, t - slack); k < laneStart[l + 1]; k++) {
      const i = laneCalls[k];
      if (inv[i] > t + slack) break;
      if (barEnd(i) >= t - slack) best = i;
    }
    return best;
  }
  function describe(i) {
    const node = nodeCol[i] ? D.nodes[nodeCol[i] - 1] : "none";
    const key = D.strings[keyCol[i]], val = D.strings[valCol[i]], err = D.strings[errCol[i]];
    const lines = [
      "op " + opCol[i] + " · process " + D.lanes[lane[i]].process + " · node " + node,
      D.fs[fcol[i]] + (key ? " key " + key : "") + (val ? " " + val : ""),
      OUTCOMES[out[i]] + " · invoked " + fmtTime(inv[i]) +
        (cmp[i] >= 0 ? " · latency " + fmtMs(cmp[i] - inv[i]) : " · never completed"),
    ];
    if (err) lines.push("error: " + err);
    if (witness.has(i)) lines.push("in the shrunk witness");
    if (named.has(i)) lines.push("named by an explanation");
    return lines.join("\n");
  }
  const tip = document.getElementById("tip");
  lanesCanvas.addEventListener("mousemove", function (ev) {
    if (drag) return;
    const r = lanesCanvas.getBoundingClientRect();
    const i = callAt(ev.clientX - r.left, ev.clientY - r.top, r.width);
    if (i < 0) { tip.hidden = true; return; }
    tip.textContent = describe(i);
    tip.hidden = false;
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 540) + "px";
    tip.style.top = (ev.clientY + 14) + "px";
  });
  lanesCanvas.addEventListener("mouseleave", function () { tip.hidden = true; });
  lanesCanvas.addEventListener("click", function (ev) {
    if (moved) return;
    const r = lanesCanvas.getBoundingClientRect();
    const i = callAt(ev.clientX - r.left, ev.clientY - r.top, r.width);
    if (i >= 0) location.hash = "call=" + i;
  });
  scroller.addEventListener("scroll", function () { requestAnimationFrame(drawLanes); });

  // Selects call i: centres the view on it, scrolls to its lane and shows its details.
  function select(i) {
    if (!(i >= 0 && i < N)) return;
    selected = i;
    const e = barEnd(i), d = Math.max(e - inv[i], 1);
    const span = Math.min(END, Math.max(d * 8, END / 50));
    view.t0 = inv[i] - span / 3; view.t1 = view.t0 + span;
    clampView();
    scroller.scrollTop = Math.max(0, lane[i] * LANE_H - (scroller.clientHeight || 560) / 2);
    const box = document.getElementById("selected");
    box.textContent = "Selected: " + describe(i);
    box.dataset.call = i;
    box.dataset.op = opCol[i];
    redraw();
  }
  function fromHash() {
    const m = /call=(\d+)/.exec(location.hash);
    if (m) {
      select(Number(m[1]));
      document.getElementById("timeline").scrollIntoView();
    }
  }
  window.addEventListener("hashchange", fromHash);

  // ---- plots --------------------------------------------------------------------------------
  function plotFrame(id) {
    const c = document.getElementById(id);
    const { g, w, h } = sizeCanvas(c, 190);
    g.clearRect(0, 0, w, h);
    drawBands(g, w, h);
    g.strokeStyle = "#ccc"; g.strokeRect(LEFT, 0.5, w - LEFT - 0.5, h - 18);
    return { g, w, h, ph: h - 18 };
  }
  // A log-scale y axis over [lo, hi] ms; returns the y of a value.
  function logAxis(g, ph, lo, hi) {
    const a = Math.log10(lo), b = Math.log10(hi);
    const y = function (v) { return ph - (Math.log10(Math.max(v, lo)) - a) / (b - a) * (ph - 6) - 2; };
    g.fillStyle = "#444"; g.font = "11px DejaVu Sans, sans-serif";
    for (let p = Math.ceil(a); p <= b; p++) {
      const v = Math.pow(10, p);
      g.fillStyle = "#eee"; g.fillRect(LEFT, y(v), 4000, 1);
      g.fillStyle = "#444"; g.fillText((v >= 1 ? v.toFixed(0) : v.toString()) + " ms", 40, y(v) + 4);
    }
    return y;
  }
  function timeTicks(g, w, h) {
    g.fillStyle = "#444"; g.font = "11px DejaVu Sans, sans-serif";
    const step = niceStep(view.t1 - view.t0, 8);
    for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) g.fillText(fmtTime(t), xOf(t, w) + 2, h - 4);
  }
  let latRange = null;
  function drawLatency() {
    const { g, w, h, ph } = plotFrame("latency");
    if (!latRange) {
      let lo = Infinity, hi = 0;
      for (let i = 0; i < N; i++) if (cmp[i] >= 0) {
        const v = Math.max(cmp[i] - inv[i], 1) * TICK / 1e6;
        if (v < lo) lo = v; if (v > hi) hi = v;
      }
      latRange = lo === Infinity ? [0.1, 1000] :
        [Math.pow(10, Math.floor(Math.log10(lo))), Math.pow(10, Math.ceil(Math.log10(hi) + 1e-9))];
      if (latRange[1] <= latRange[0]) latRange[1] = latRange[0] * 10;
    }
    const y = logAxis(g, ph, latRange[0], latRange[1]);
    const W = Math.ceil(w), seen = [new Uint8Array(W * (ph + 1)), new Uint8Array(W * (ph + 1)), new Uint8Array(W * (ph + 1))];
    // Info first, failures last: the rare outcome stays visible.
    for (const o of [2, 0, 1]) {
      g.fillStyle = COLORS[o];
      for (let i = lowerBound(view.t0); i < N && inv[i] <= view.t1; i++) {
        if (out[i] !== o || cmp[i] < 0) continue;
        const x = Math.round(xOf(inv[i], w)), yy = Math.round(y(Math.max(cmp[i] - inv[i], 1) * TICK / 1e6));
        const k = x + W * Math.max(0, Math.min(ph, yy));
        if (x < LEFT || x >= W || seen[o][k]) continue;
        seen[o][k] = 1;
        g.fillRect(x - 1, yy - 1, 2, 2);
      }
    }
    timeTicks(g, w, h);
  }
  function lowerBound(t) {
    let lo = 0, hi = N;
    while (lo < hi) { const m = (lo + hi) >> 1; if (inv[m] < t) lo = m + 1; else hi = m; }
    return lo;
  }
  function drawSeries(id, series, logScale) {
    const { g, w, h, ph } = plotFrame(id);
    const P = D.plots;
    let hi = 0, lo = Infinity;
    for (const s of series) for (const v of s.values) if (v !== null) { hi = Math.max(hi, v); if (v > 0) lo = Math.min(lo, v); }
    let y;
    if (logScale) {
      y = logAxis(g, ph, lo === Infinity ? 0.1 : Math.pow(10, Math.floor(Math.log10(lo))),
        hi <= 0 ? 1 : Math.pow(10, Math.ceil(Math.log10(hi) + 1e-9)));
    } else {
      const top = hi > 0 ? hi * 1.1 : 1;
      y = function (v) { return ph - v / top * (ph - 6) - 1; };
      g.fillStyle = "#444"; g.font = "11px DejaVu Sans, sans-serif";
      const step = niceStep(top, 4);
      for (let v = 0; v <= top; v += step) {
        g.fillStyle = "#eee"; g.fillRect(LEFT, y(v), w, 1);
        g.fillStyle = "#444"; g.fillText(v.toFixed(0) + "/s", 40, y(v) + 4);
      }
    }
    g.save(); g.beginPath(); g.rect(LEFT, 0, w - LEFT, ph); g.clip();
    for (const s of series) {
      g.strokeStyle = s.color; g.lineWidth = 1.6; g.setLineDash(s.dash || []);
      g.beginPath();
      let pen = false;
      s.values.forEach(function (v, b) {
        if (v === null) { pen = false; return; }
        const x = xOf((b + 0.5) * P.bucket, w);
        if (pen) g.lineTo(x, y(v)); else g.moveTo(x, y(v));
        pen = true;
      });
      g.stroke();
    }
    g.restore();
    g.setLineDash([]); g.lineWidth = 1;
    timeTicks(g, w, h);
  }
  const QUANTILES = [["p50", "#1f618d"], ["p95", "#2e8b57"], ["p99", "#d68910"], ["max", "#c0392b"]]
    .map(function (q) { return { name: q[0], color: q[1], values: D.plots[q[0]] }; });
  const PALETTE = ["#1f618d", "#2e8b57", "#7d3c98", "#d68910", "#117a65", "#a04000", "#5d6d7e", "#b03a2e"];
  const fsSeen = [];
  const THROUGHPUT = D.plots.throughput.map(function (s) {
    if (fsSeen.indexOf(s.f) < 0) fsSeen.push(s.f);
    const dash = s.outcome === "ok" ? [] : s.outcome === "fail" ? [6, 3] : [2, 3];
    return { name: s.f + " " + s.outcome, color: PALETTE[fsSeen.indexOf(s.f) % PALETTE.length], dash: dash, values: s.rate };
  });
  function legend(id, series) {
    const el = document.getElementById(id);
    el.textContent = "";
    for (const s of series) {
      const span = document.createElement("span");
      span.textContent = s.name + (s.dash && s.dash.length ? (s.dash[0] > 3 ? " (dashed)" : " (dotted)") : "");
      span.style.setProperty("--c", s.color);
      el.appendChild(span);
    }
  }
  legend("quantiles-legend", QUANTILES);
  legend("throughput-legend", THROUGHPUT);

  // ---- partial linearisations (Porcupine-style) ---------------------------------------------
  // The failing key's last linearised calls and the call that could not be placed, each in its
  // process's lane; the linearisation points joined in order, the failed call in red.
  function drawLinear(canvas) {
    const v = D.linear[Number(canvas.dataset.view)];
    const shown = v.longest.slice(-12);
    const nums = shown.map(function (_, k) { return v.longest.length - shown.length + k + 1; });
    const all = v.failed === null ? shown : shown.concat([v.failed]);
    if (all.length === 0) return;
    const procs = [];
    for (const i of all) if (procs.indexOf(lane[i]) < 0) procs.push(lane[i]);
    let t0 = Infinity, t1 = -Infinity;
    for (const i of all) { t0 = Math.min(t0, inv[i]); t1 = Math.max(t1, cmp[i] >= 0 ? cmp[i] : inv[i] + 1); }
    const pad = (t1 - t0) * 0.04 + 1;
    t0 -= pad; t1 += pad;
    const H = Math.max(70, procs.length * 26 + 40);
    canvas.style.height = H + "px";
    const { g, w } = sizeCanvas(canvas, H);
    g.clearRect(0, 0, w, H);
    const x = function (t) { return LEFT + (t - t0) / (t1 - t0) * (w - LEFT - 10); };
    const yOf = function (i) { return 22 + procs.indexOf(lane[i]) * 26; };
    g.font = "11px DejaVu Sans, sans-serif";
    procs.forEach(function (p, k) { g.fillStyle = "#333"; g.fillText(laneLabel(p), 4, 22 + k * 26 + 13); });
    let point = -Infinity;
    const pts = [];
    all.forEach(function (i, k) {
      const failed = k === shown.length;
      const e = cmp[i] >= 0 ? cmp[i] : t1;
      const bw = Math.max(3, x(e) - x(inv[i]));
      g.fillStyle = failed ? "#c0392b" : "#aed6f1";
      g.fillRect(x(inv[i]), yOf(i), bw, 18);
      if (failed) {
        // The failed call's label, inside the canvas even when its bar is at the right edge.
        const text = "✗ " + v.failed_action + " could not be placed";
        g.fillStyle = "#c0392b";
        g.fillText(text, Math.min(x(inv[i]) + 3, w - g.measureText(text).width - 6), yOf(i) - 2 < 10 ? yOf(i) + 30 : yOf(i) - 2);
      } else {
        // Each linearised call's number, and its action where the bar has room for it.
        g.save(); g.beginPath(); g.rect(x(inv[i]), yOf(i), Math.max(bw, 26), 18); g.clip();
        g.fillStyle = "#1c1c1c";
        g.fillText(nums[k] + ". " + v.actions[v.actions.length - shown.length + k], x(inv[i]) + 3, yOf(i) + 13);
        g.restore();
      }
      if (!failed) {
        point = Math.min(Math.max(point, inv[i]), e);
        pts.push([x(point), yOf(i) + 9]);
      }
    });
    g.strokeStyle = "#1f618d"; g.lineWidth = 1.5; g.beginPath();
    pts.forEach(function (p, k) { if (k) g.lineTo(p[0], p[1]); else g.moveTo(p[0], p[1]); });
    g.stroke();
    g.fillStyle = "#1f618d";
    for (const p of pts) { g.beginPath(); g.arc(p[0], p[1], 3, 0, 7); g.fill(); }
    g.lineWidth = 1;
  }

  // ---- zoom and pan, shared by the timeline and the plots -----------------------------------
  let drag = null, moved = false;
  function redraw() {
    drawAxis(); placeBands(); drawLanes(); drawLatency();
    drawSeries("quantiles", QUANTILES, true);
    drawSeries("throughput", THROUGHPUT, false);
  }
  let pending = false;
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; redraw(); }); } }
  for (const c of [lanesCanvas, document.getElementById("latency"), document.getElementById("quantiles"), document.getElementById("throughput")]) {
    c.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      const r = c.getBoundingClientRect();
      const t = tOf(ev.clientX - r.left, r.width);
      const k = Math.pow(1.2, ev.deltaY / 100);
      const span = Math.min(END, Math.max((view.t1 - view.t0) * k, 1));
      const f = (t - view.t0) / (view.t1 - view.t0);
      view.t0 = t - f * span; view.t1 = view.t0 + span;
      clampView(); schedule();
    }, { passive: false });
    c.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, t0: view.t0, t1: view.t1, w: c.getBoundingClientRect().width }; moved = false; });
  }
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    const dt = (ev.clientX - drag.x) / (drag.w - LEFT) * (drag.t1 - drag.t0);
    if (Math.abs(ev.clientX - drag.x) > 2) moved = true;
    view.t0 = drag.t0 - dt; view.t1 = drag.t1 - dt;
    clampView(); schedule();
  });
  window.addEventListener("mouseup", function () { drag = null; });
  document.getElementById("whole").addEventListener("click", function () { view.t0 = 0; view.t1 = END; schedule(); });
  window.addEventListener("resize", schedule);

  redraw();
  document.querySelectorAll("canvas.lin").forEach(drawLinear);
  fromHash();
  document.body.dataset.ready = "1";
  document.body.dataset.renderMs = performance.now().toFixed(0);
})();
