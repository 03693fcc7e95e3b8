//! The page's sections, as HTML. The canvases they hold are drawn by the script.

use super::cycle;
use super::text::{escape, linked};
use super::verdict_class;
use crate::coverage::Coverage;
use crate::data::{OpMap, PageData};
use crate::evidence;
use crate::windows::FaultWindow;
use crate::RunReport;
use checker::Judgement;
use histories::{Call, Outcome};
use std::fmt::Write;

/// How many calls of a longest partial linearisation the table lists (the last ones).
const LONGEST_LISTED: usize = 40;

fn ms(ns: u64) -> String {
    format!("{:.1} ms", ns as f64 / 1e6)
}

fn secs(ns: u64) -> String {
    format!("{:.3} s", ns as f64 / 1e9)
}

/// Each checker's verdict and explanation, the witness, the seed and the reproduce command.
pub(super) fn verdict(
    out: &mut String,
    report: &RunReport,
    judgements: &[&Judgement],
    ops: &OpMap,
) {
    out.push_str("<section id=\"verdict\"><h2>Verdict</h2>");
    if judgements.is_empty() {
        out.push_str("<p class=\"check v-unknown\">No checker judged this history: unknown.</p>");
    }
    for j in judgements {
        let (class, word) = verdict_class(&j.verdict);
        let _ = write!(
            out,
            "<div class=\"check {class}\"><h3><span class=\"badge\">{word}</span> {}</h3>",
            escape(&j.checker)
        );
        if let checker::Verdict::Unknown { reason } = &j.verdict {
            let _ = write!(out, "<p class=\"reason\">{}</p>", escape(reason));
        }
        let _ = write!(
            out,
            "<pre class=\"explanation\">{}</pre></div>",
            linked(j.explanation.trim_end(), ops)
        );
    }
    if let Some(w) = &report.witness {
        let _ = write!(
            out,
            "<div class=\"witness\"><h3>Shrunk witness</h3><p>{}</p><p>Its ops, highlighted on the \
             timeline: ",
            escape(&w.summary)
        );
        let links: Vec<String> = w
            .ops
            .iter()
            .filter_map(|&op| {
                let call = ops.call_of(op)?;
                Some(format!(
                    "<a class=\"op witness-op\" href=\"#call={call}\">op {op}</a>"
                ))
            })
            .collect();
        out.push_str(&links.join(", "));
        out.push_str("</p></div>");
    }
    if let Some(run) = &report.run {
        let _ = write!(
            out,
            "<p class=\"seed\">Seed <code id=\"seed\">{}</code>. Reproduce with \
             <code id=\"reproduce\">{}</code> (real processes are not deterministic: a replay \
             re-applies the same faults at the same offsets, the interleaving of calls differs).</p>",
            run.seed,
            escape(&run.reproduce)
        );
    }
    out.push_str("</section>\n");
}

/// The timeline's frame: summary, controls, axis with fault bands, the lanes' canvas.
pub(super) fn timeline(out: &mut String, page: &PageData, faults: usize) {
    let in_groups = if page.nodes.is_empty() {
        String::new()
    } else {
        format!(" grouped by {} nodes", page.nodes.len())
    };
    let _ = write!(
        out,
        "<section id=\"timeline\"><h2>Timeline</h2>\
         <p class=\"summary\" id=\"timeline-summary\" data-lanes=\"{lanes}\" data-calls=\"{calls}\" \
         data-span-ns=\"{span}\">{calls} calls in {lanes} lanes, one per process{in_groups}; \
         {faults} faults.</p>\
         <p class=\"help\">Scroll the wheel over a plot or the timeline to zoom, drag to pan, \
         hover for a call, click it to select. <button id=\"whole\">whole run</button> \
         <span id=\"range\"></span></p>\
         <ul class=\"legend\"><li class=\"ok\">ok</li><li class=\"fail\">fail</li>\
         <li class=\"info\">info (may take effect until the end)</li>\
         <li class=\"hl-witness\">witness</li><li class=\"hl-named\">named by an explanation</li>\
         <li class=\"band-key\">fault in force</li><li class=\"band-skipped\">fault skipped</li></ul>\
         <div class=\"axis-frame\"><canvas id=\"axis\" height=\"26\"></canvas>\
         <div id=\"bands\" class=\"bands\"></div></div>\
         <div id=\"lanes-scroll\"><div id=\"lanes-spacer\"><canvas id=\"lanes\"></canvas></div></div>\
         <div id=\"selected\" class=\"selected\">No call selected.</div>\
         <div id=\"tip\" class=\"tip\" hidden></div></section>",
        lanes = page.lanes.len(),
        calls = page.calls.n,
        span = page.end * page.tick_ns,
    );
    out.push('\n');
}

/// The Porcupine-style view of each failing key: drawn by the script, listed here.
pub(super) fn linear(out: &mut String, page: &PageData) {
    if page.linear.is_empty() {
        return;
    }
    out.push_str("<section id=\"linear\"><h2>Partial linearisations</h2>");
    for (i, v) in page.linear.iter().enumerate() {
        let key = if v.key.is_empty() {
            String::new()
        } else {
            format!(" of key {}", escape(&v.key))
        };
        let _ = write!(
            out,
            "<div class=\"porcupine\"><h3>{}{key}</h3>\
             <p>The longest partial linearisation has {} calls and leaves {} at <b>{}</b>; \
             then <span class=\"failed\">{}</span> could not be placed: {} could only be {}. \
             The drawing shows its last calls, each in its process's lane, and the call that could \
             not be placed; the line joins the moments each call took effect, in order.</p>\
             <canvas class=\"lin\" data-view=\"{i}\"></canvas><ol class=\"steps\" start=\"{}\">",
            escape(&v.checker),
            v.longest.len(),
            escape(&v.object),
            escape(&v.after),
            escape(&v.failed_action),
            escape(&v.object),
            escape(&if v.possible.is_empty() {
                v.after.clone()
            } else {
                v.possible.join(" or ")
            }),
            v.longest.len().saturating_sub(LONGEST_LISTED) + 1
        );
        let skip = v.longest.len().saturating_sub(LONGEST_LISTED);
        for (call, action) in v.longest.iter().zip(&v.actions).skip(skip) {
            let _ = write!(
                out,
                "<li><a class=\"op\" href=\"#call={call}\">{}</a></li>",
                escape(action)
            );
        }
        if let Some(f) = v.failed {
            let _ = write!(
                out,
                "<li class=\"failed\"><a class=\"op\" href=\"#call={f}\">{}</a>: cannot be placed</li>",
                escape(&v.failed_action)
            );
        }
        out.push_str("</ol></div>");
    }
    out.push_str("</section>\n");
}

/// Each transactional anomaly: its cycle as a graph, and every edge's reason in words.
pub(super) fn cycles(out: &mut String, judgements: &[&Judgement], ops: &OpMap) {
    let anomalies = evidence::anomalies(judgements);
    if anomalies.is_empty() {
        return;
    }
    out.push_str("<section id=\"cycles\"><h2>Anomalies</h2>");
    for a in anomalies {
        let _ = write!(
            out,
            "<div class=\"anomaly\"><h3>{}</h3>",
            escape(a.kind.name())
        );
        if let checker::txn::Explanation::Cycle(c) = &a.explanation {
            out.push_str(&cycle::svg(c, ops));
        }
        let _ = write!(
            out,
            "<pre class=\"explanation\">{}</pre></div>",
            linked(a.to_string().trim_end(), ops)
        );
    }
    out.push_str("</section>\n");
}

/// The plots' canvases, and each fault window's availability and recovery.
pub(super) fn plots(out: &mut String, windows: &[FaultWindow]) {
    out.push_str(
        "<section id=\"plots\"><h2>Plots</h2>\
         <h3>Latency of every call (log scale)</h3><canvas id=\"latency\" class=\"plot\"></canvas>\
         <h3>Latency quantiles per time bucket (completed calls)</h3>\
         <canvas id=\"quantiles\" class=\"plot\"></canvas><div id=\"quantiles-legend\" class=\"series\"></div>\
         <h3>Throughput per operation and outcome (completions per second)</h3>\
         <canvas id=\"throughput\" class=\"plot\"></canvas><div id=\"throughput-legend\" class=\"series\"></div>\
         <h3>Fault windows</h3>",
    );
    if windows.is_empty() {
        out.push_str("<p>No fault was in force.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"windows\"><thead><tr><th>fault</th><th>from</th><th>to</th>\
         <th>calls invoked</th><th>ok</th><th>availability</th>\
         <th>heal to first ok, per node</th></tr></thead><tbody>",
    );
    for w in windows {
        let recovery: Vec<String> = w
            .recovery
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    escape(&r.node),
                    r.first_ok_ns.map_or("none".to_string(), ms)
                )
            })
            .collect();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&w.fault),
            secs(w.start),
            w.end.map_or("the end".to_string(), secs),
            w.invoked,
            w.ok,
            w.availability()
                .map_or("no call".to_string(), |a| format!("{:.1}%", a * 100.0)),
            if w.end.is_none() {
                "not healed".to_string()
            } else {
                recovery.join(", ")
            }
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// The coverage warnings and each operation's ok calls under each kind of fault.
pub(super) fn coverage(out: &mut String, cov: &Coverage) {
    let _ = write!(
        out,
        "<section id=\"coverage\"><h2>Coverage</h2><p>Faults were in force for {:.0}% of the \
         history.</p>",
        cov.share_under_faults * 100.0
    );
    if cov.warnings.is_empty() {
        out.push_str("<p id=\"no-warnings\">No warnings.</p>");
    } else {
        out.push_str("<ul id=\"warnings\" class=\"warnings\">");
        for w in &cov.warnings {
            let _ = write!(out, "<li>{}</li>", escape(&w.to_string()));
        }
        out.push_str("</ul>");
    }
    let kinds: Vec<&String> = cov
        .ops
        .first()
        .map(|o| o.ok_under.keys().collect())
        .unwrap_or_default();
    out.push_str("<table class=\"ops\"><thead><tr><th>operation</th><th>calls</th><th>ok</th>");
    for k in &kinds {
        let _ = write!(out, "<th>ok during {}</th>", escape(k));
    }
    out.push_str("</tr></thead><tbody>");
    for op in &cov.ops {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            escape(&op.f),
            op.calls,
            op.ok
        );
        for k in &kinds {
            let n = op.ok_under.get(*k).copied().unwrap_or(0);
            let class = if n == 0 { " class=\"none\"" } else { "" };
            let _ = write!(out, "<td{class}>{n}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>\n");
}

/// The run's counts, config and raw files.
pub(super) fn run(out: &mut String, report: &RunReport, calls: &[Call], end_ns: u64) {
    let count = |o: Outcome| calls.iter().filter(|c| c.outcome == o).count();
    let mut ok_latency: Vec<u64> = calls
        .iter()
        .filter(|c| c.outcome == Outcome::Ok)
        .filter_map(|c| Some(c.complete_time?.saturating_sub(c.invoke_time)))
        .collect();
    ok_latency.sort_unstable();
    let q = |p: f64| {
        if ok_latency.is_empty() {
            return "none".to_string();
        }
        let rank = ((p * ok_latency.len() as f64).ceil() as usize).clamp(1, ok_latency.len());
        ms(ok_latency[rank - 1])
    };
    let completed = calls.iter().filter(|c| c.complete_time.is_some()).count();
    let _ = write!(
        out,
        "<section id=\"run\"><h2>Run</h2><table class=\"counts\"><tbody>\
         <tr><th>calls</th><td id=\"count-calls\">{}</td></tr><tr><th>ok</th><td>{}</td></tr>\
         <tr><th>fail</th><td>{}</td></tr><tr><th>info</th><td>{}</td></tr>\
         <tr><th>ops in the history</th><td>{}</td></tr><tr><th>span</th><td>{}</td></tr>\
         <tr><th>completions per second</th><td>{:.1}</td></tr>\
         <tr><th>ok latency p50</th><td>{}</td></tr><tr><th>ok latency p99</th><td>{}</td></tr>",
        calls.len(),
        count(Outcome::Ok),
        count(Outcome::Fail),
        count(Outcome::Info),
        report.history.len(),
        secs(end_ns),
        completed as f64 / (end_ns as f64 / 1e9).max(1e-9),
        q(0.5),
        q(0.99)
    );
    if let Some(run) = &report.run {
        let _ = write!(
            out,
            "<tr><th>seed</th><td>{}</td></tr><tr><th>started</th><td>{}</td></tr>",
            run.seed,
            escape(&run.started_at)
        );
    }
    out.push_str("</tbody></table>");
    if let Some(run) = &report.run {
        out.push_str("<h3>Files</h3><ul id=\"files\">");
        for f in &run.files {
            let _ = write!(
                out,
                "<li><a href=\"{}\">{}</a></li>",
                escape(&f.href),
                escape(&f.label)
            );
        }
        let _ = write!(
            out,
            "</ul><h3>Config</h3><pre class=\"config\">{}</pre>",
            escape(&run.config_toml)
        );
    }
    out.push_str("</section>\n");
}
