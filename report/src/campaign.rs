//! A campaign's index.html: the matrix of strategy x nemesis, each cell its seeds' verdicts
//! against the expectation, each linking to its run's report.

use crate::html::text::escape;
use crate::html::verdict_class;
use checker::Verdict;
use std::fmt::Write;

const STYLE: &str = include_str!("../assets/report.css");

/// What a campaign page is drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignPage {
    /// The campaign's name.
    pub name: String,
    /// Every case run, in the campaign's order (strategies x nemeses x seeds).
    pub cells: Vec<CampaignCell>,
}

/// One case of a campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignCell {
    /// The strategy's name.
    pub strategy: String,
    /// The nemesis's name.
    pub nemesis: String,
    /// The seed.
    pub seed: u64,
    /// The verdict expected; `None` when any verdict will do.
    pub expect: Option<Expected>,
    /// The verdict, or the harness error that stopped the case.
    pub verdict: Result<Verdict, String>,
    /// The anomalies found, in a few words.
    pub anomalies: String,
    /// How long the case took, in seconds.
    pub duration_s: f64,
    /// The run's report, relative to index.html; `None` when the case stored no run.
    pub report: Option<String>,
}

/// An expected verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Valid.
    Valid,
    /// Invalid.
    Invalid,
    /// Unknown.
    Unknown,
}

impl Expected {
    fn word(self) -> &'static str {
        match self {
            Expected::Valid => "valid",
            Expected::Invalid => "invalid",
            Expected::Unknown => "unknown",
        }
    }
}

impl CampaignCell {
    /// Whether the verdict is the one expected (a harness error never is).
    pub fn as_expected(&self) -> bool {
        match (&self.verdict, self.expect) {
            (Err(_), _) => false,
            (Ok(_), None) => true,
            (Ok(v), Some(e)) => matches!(
                (e, v),
                (Expected::Valid, Verdict::Valid)
                    | (Expected::Invalid, Verdict::Invalid)
                    | (Expected::Unknown, Verdict::Unknown { .. })
            ),
        }
    }
}

/// The names in first-seen order.
fn ordered<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// Renders the campaign's index.html.
pub fn render_campaign(page: &CampaignPage) -> String {
    let strategies = ordered(page.cells.iter().map(|c| c.strategy.as_str()));
    let nemeses = ordered(page.cells.iter().map(|c| c.nemesis.as_str()));
    let expected = page.cells.iter().filter(|c| c.as_expected()).count();
    let name = escape(&page.name);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>rift campaign: {name}</title><style>{STYLE}</style></head><body>\
         <header><h1>Campaign {name}</h1><p id=\"overall\" class=\"verdict {}\">{expected} of {} \
         as expected</p></header><section><p>Each cell is one strategy under one nemesis; each \
         seed's verdict links to its run's report. A ✓ marks a verdict as expected, a ✗ one \
         that is not.</p><table class=\"matrix\"><thead><tr><th>strategy \\ nemesis</th>",
        if expected == page.cells.len() {
            "v-valid"
        } else {
            "v-invalid"
        },
        page.cells.len()
    );
    for n in &nemeses {
        let _ = write!(out, "<th>{}</th>", escape(n));
    }
    out.push_str("</tr></thead><tbody>");
    for s in &strategies {
        let _ = write!(out, "<tr><th>{}</th>", escape(s));
        for n in &nemeses {
            out.push_str("<td>");
            let cells = page
                .cells
                .iter()
                .filter(|c| c.strategy == *s && c.nemesis == *n);
            for (k, c) in cells.enumerate() {
                if k == 0 {
                    let _ = write!(
                        out,
                        "<div class=\"expect\">expected {}</div>",
                        c.expect.map_or("any", Expected::word)
                    );
                }
                cell(&mut out, c);
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section></body></html>\n");
    out
}

fn cell(out: &mut String, c: &CampaignCell) {
    let (class, word) = match &c.verdict {
        Ok(v) => verdict_class(v),
        Err(_) => ("v-error", "error"),
    };
    let mark = if c.as_expected() { "✓" } else { "✗" };
    let expected = if c.as_expected() {
        "as-expected"
    } else {
        "unexpected"
    };
    let mut title = format!("seed {}: {word} in {:.1} s", c.seed, c.duration_s);
    if let Err(e) = &c.verdict {
        title += &format!(": {e}");
    }
    if !c.anomalies.is_empty() {
        title += &format!("; {}", c.anomalies);
    }
    let inner = format!(
        "seed {} <b>{word}</b> {mark}{}",
        c.seed,
        if c.anomalies.is_empty() {
            String::new()
        } else {
            format!(" <small>{}</small>", escape(&c.anomalies))
        }
    );
    match &c.report {
        Some(href) => {
            let _ = write!(
                out,
                "<a class=\"case {class} {expected}\" href=\"{}\" title=\"{}\">{inner}</a>",
                escape(href),
                escape(&title)
            );
        }
        None => {
            let _ = write!(
                out,
                "<span class=\"case {class} {expected}\" title=\"{}\">{inner}</span>",
                escape(&title)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(strategy: &str, nemesis: &str, seed: u64, v: Verdict, e: Expected) -> CampaignCell {
        CampaignCell {
            strategy: strategy.into(),
            nemesis: nemesis.into(),
            seed,
            expect: Some(e),
            verdict: Ok(v),
            anomalies: String::new(),
            duration_s: 1.0,
            report: Some(format!("{strategy}/{seed}/report.html")),
        }
    }

    #[test]
    fn a_matrix_has_a_row_per_strategy_a_column_per_nemesis_and_links_each_seed() {
        let page = CampaignPage {
            name: "c".into(),
            cells: vec![
                cell("sync", "none", 1, Verdict::Valid, Expected::Valid),
                cell("sync", "partition", 1, Verdict::Invalid, Expected::Valid),
                cell("async", "none", 1, Verdict::Invalid, Expected::Invalid),
                cell("async", "partition", 1, Verdict::Invalid, Expected::Invalid),
            ],
        };
        let html = render_campaign(&page);
        // The header row, then one row per strategy.
        assert_eq!(html.matches("<tr><th>").count(), 3);
        assert!(html.contains("<tr><th>sync</th>") && html.contains("<tr><th>async</th>"));
        assert!(html.contains("<th>none</th><th>partition</th>"));
        assert!(html.contains("3 of 4 as expected"));
        assert_eq!(html.matches("class=\"case").count(), 4);
        assert_eq!(html.matches(" unexpected\"").count(), 1);
        assert!(html.contains("href=\"async/1/report.html\""));
    }
}
