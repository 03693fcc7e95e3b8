//! The page: sections in the order a reader needs them, the data embedded as JSON, the script and
//! the style embedded from `assets/`.

mod cycle;
mod sections;
pub(crate) mod text;

use crate::coverage::coverage;
use crate::data::{self, OpMap};
use crate::evidence;
use crate::windows::fault_windows;
use crate::RunReport;
use checker::Verdict;
use std::fmt::Write;
use text::escape;

const STYLE: &str = include_str!("../../assets/report.css");
const SCRIPT: &str = include_str!("../../assets/report.js");

/// The verdict's class and word.
pub(crate) fn verdict_class(v: &Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Valid => ("v-valid", "valid"),
        Verdict::Invalid => ("v-invalid", "invalid"),
        Verdict::Unknown { .. } => ("v-unknown", "unknown"),
    }
}

/// JSON made safe inside a `<script>` element: no `</` can end it early.
fn script_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .expect("page data serialises")
        .replace("</", "<\\/")
}

/// Renders the report page.
pub fn render(report: &RunReport) -> String {
    let history = report.history;
    let (calls, pairing_error) = match history.calls() {
        Ok(c) => (c, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let judgements = evidence::flatten(report.judgements);
    let verdict: Verdict = report
        .judgements
        .iter()
        .map(|j| j.verdict.clone())
        .collect();
    let ops = OpMap::new(&calls);
    let end_ns = data::end_ns(history, &report.faults);
    let witness_ops: &[u64] = report.witness.as_ref().map_or(&[], |w| &w.ops);
    let page = data::build(
        &calls,
        end_ns,
        &judgements,
        witness_ops,
        &report.faults,
        &ops,
    );
    let windows = fault_windows(&calls, &report.faults, end_ns);
    let cov = coverage(history, &report.faults, &verdict);
    let (class, word) = verdict_class(&verdict);
    let mut out = String::with_capacity(64 * 1024 + calls.len() * 24);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>rift report: {title}</title><style>{STYLE}</style></head>\n<body>\
         <header><h1>{title}</h1><p id=\"overall\" class=\"verdict {class}\">{word}</p></header>\
         <nav><a href=\"#verdict\">verdict</a> <a href=\"#timeline\">timeline</a>{linear}{cycles} \
         <a href=\"#plots\">plots</a> <a href=\"#coverage\">coverage</a>{run}</nav>\n",
        title = escape(&report.title),
        linear = if page.linear.is_empty() {
            ""
        } else {
            " <a href=\"#linear\">linearisation</a>"
        },
        cycles = if evidence::anomalies(&judgements).is_empty() {
            ""
        } else {
            " <a href=\"#cycles\">anomalies</a>"
        },
        run = if report.run.is_some() {
            " <a href=\"#run\">run</a>"
        } else {
            ""
        },
    );
    sections::verdict(&mut out, report, &judgements, &ops);
    if let Some(e) = &pairing_error {
        let _ = write!(
            out,
            "<p class=\"warning\">The history's calls cannot be paired, so no call is drawn: {}</p>",
            escape(e)
        );
    }
    sections::timeline(&mut out, &page, report.faults.len());
    sections::linear(&mut out, &page);
    sections::cycles(&mut out, &judgements, &ops);
    sections::plots(&mut out, &windows);
    sections::coverage(&mut out, &cov);
    sections::run(&mut out, report, &calls, end_ns);
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"rift-data\">{}</script>\n<script>{SCRIPT}</script>\
         </body></html>\n",
        script_json(&page)
    );
    out
}
