//! The index page: every run in the store, newest first, filtered by test, system, strategy,
//! nemesis, verdict and seed, each linking to its report and files.

use super::runs::Run;
use report::escape;
use std::collections::BTreeSet;
use std::fmt::Write;

/// The filters of the index, from its query string; an empty field filters nothing.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filter {
    /// A part of the test's name.
    #[serde(default)]
    pub test: String,
    /// The system, exactly.
    #[serde(default)]
    pub system: String,
    /// The strategy, exactly (`read=one replication=async`).
    #[serde(default)]
    pub strategy: String,
    /// The nemesis, exactly (`partition,pause`, `none`).
    #[serde(default)]
    pub nemesis: String,
    /// The verdict, exactly.
    #[serde(default)]
    pub verdict: String,
    /// The seed, exactly.
    #[serde(default)]
    pub seed: String,
}

impl Filter {
    fn keeps(&self, r: &Run) -> bool {
        let exact = |want: &str, have: &str| want.is_empty() || want == have;
        (self.test.is_empty() || r.test.contains(&self.test))
            && exact(&self.system, &r.system)
            && exact(&self.strategy, &r.strategy)
            && exact(&self.nemesis, &r.nemesis)
            && exact(&self.verdict, &r.verdict)
            && (self.seed.is_empty() || r.seed.map(|s| s.to_string()) == Some(self.seed.clone()))
    }
}

const STYLE: &str = "body{font:14px/1.45 'DejaVu Sans',sans-serif;margin:0 auto;max-width:1400px;\
padding:0 18px 40px}h1{font-size:20px}table{border-collapse:collapse;font-size:13px}\
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}thead th{background:#f3f3f3}\
form{margin:8px 0 14px;display:flex;gap:10px;flex-wrap:wrap;align-items:end}label{font-size:12px;\
color:#555;display:flex;flex-direction:column}.valid{color:#2e8b57;font-weight:bold}\
.invalid{color:#c0392b;font-weight:bold}.unknown{color:#d68910;font-weight:bold}.error{color:#7d3c98;font-weight:bold}";

/// A `<select>` of the distinct values of one field, the chosen one selected.
fn select(out: &mut String, name: &str, values: BTreeSet<&str>, chosen: &str) {
    let _ = write!(
        out,
        "<label>{name}<select name=\"{name}\"><option value=\"\">any</option>"
    );
    for v in values {
        let sel = if v == chosen { " selected" } else { "" };
        let _ = write!(out, "<option{sel}>{}</option>", escape(v));
    }
    out.push_str("</select></label>");
}

/// The index page of `runs` (newest first) under `filter`.
pub fn page(store: &str, runs: &[Run], filter: &Filter) -> String {
    let shown: Vec<&Run> = runs.iter().filter(|r| filter.keeps(r)).collect();
    let mut out = String::with_capacity(4096 + shown.len() * 600);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>rift store</title>\
         <style>{STYLE}</style></head><body><h1>rift store {}</h1>\
         <p id=\"count\" data-shown=\"{}\" data-total=\"{}\">{} of {} runs, newest first.</p>\
         <form method=\"get\" action=\"/\"><label>test<input name=\"test\" value=\"{}\"></label>",
        escape(store),
        shown.len(),
        runs.len(),
        shown.len(),
        runs.len(),
        escape(&filter.test)
    );
    let distinct = |f: fn(&Run) -> &str| runs.iter().map(f).collect::<BTreeSet<&str>>();
    select(&mut out, "system", distinct(|r| &r.system), &filter.system);
    select(
        &mut out,
        "strategy",
        distinct(|r| &r.strategy),
        &filter.strategy,
    );
    select(
        &mut out,
        "nemesis",
        distinct(|r| &r.nemesis),
        &filter.nemesis,
    );
    select(
        &mut out,
        "verdict",
        distinct(|r| &r.verdict),
        &filter.verdict,
    );
    let _ = write!(
        out,
        "<label>seed<input name=\"seed\" size=\"8\" value=\"{}\"></label>\
         <button>filter</button> <a href=\"/\">clear</a></form>\
         <table id=\"runs\"><thead><tr><th>started</th><th>test</th><th>system</th>\
         <th>strategy</th><th>nemesis</th><th>seed</th><th>verdict</th><th>report</th>\
         <th>files</th></tr></thead><tbody>",
        escape(&filter.seed)
    );
    for r in shown {
        let dir = format!("/runs/{}", escape(&r.path));
        let _ = write!(
            out,
            "<tr class=\"run\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"{v}\">{v}</td><td><a href=\"{dir}/report.html\">{}</a></td>\
             <td><a href=\"{dir}/history.jsonl\">history</a> <a href=\"{dir}/faults.jsonl\">faults</a> \
             <a href=\"{dir}/results.json\">results</a> <a href=\"{dir}/run.json\">run</a> \
             <a href=\"{dir}/nodes/\">logs</a>{}</td></tr>",
            escape(&r.started_at),
            escape(&r.test),
            escape(&r.system),
            escape(&r.strategy),
            escape(&r.nemesis),
            r.seed.map_or(String::new(), |s| s.to_string()),
            if r.has_report { "report" } else { "report (drawn now)" },
            if r.has_error {
                format!(" <a href=\"{dir}/error.txt\">error</a>")
            } else {
                String::new()
            },
            v = escape(&r.verdict),
        );
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}
