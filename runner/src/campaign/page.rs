//! A campaign's results as the page report draws: one cell per case, linking to its run's
//! report relative to where index.html is written.

use super::{CaseResult, Expect};
use report::{CampaignCell, CampaignPage, Expected};
use std::path::{Component, Path, PathBuf};

/// The page of `results`, to be written as `index` (its links are relative to its directory).
pub fn campaign_page(name: &str, results: &[CaseResult], index: &Path) -> CampaignPage {
    let from = index.parent().unwrap_or(Path::new("."));
    CampaignPage {
        name: name.to_string(),
        cells: results
            .iter()
            .map(|r| CampaignCell {
                strategy: r.case.strategy.clone(),
                nemesis: r.case.nemesis.clone(),
                seed: r.case.config.seed.unwrap_or_default(),
                expect: match r.case.expect {
                    Expect::Valid => Some(Expected::Valid),
                    Expect::Invalid => Some(Expected::Invalid),
                    Expect::Unknown => Some(Expected::Unknown),
                    Expect::Any => None,
                },
                verdict: r.verdict.clone(),
                anomalies: r.anomalies.clone(),
                duration_s: r.duration.as_secs_f64(),
                report: r
                    .dir
                    .as_ref()
                    .map(|d| relative(from, &d.join("report.html"))),
            })
            .collect(),
    }
}

/// `to` as a link from the directory `from`: relative when both are absolute (so the campaign's
/// directory can be moved or uploaded whole), else `to` as it is.
fn relative(from: &Path, to: &Path) -> String {
    let (Ok(from), Ok(to)) = (std::path::absolute(from), std::path::absolute(to)) else {
        return to.display().to_string();
    };
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn a_run_below_the_index_is_linked_below_it() {
        assert_eq!(
            relative(
                Path::new("/s/results"),
                Path::new("/s/results/r/1/report.html")
            ),
            "r/1/report.html"
        );
    }

    #[test]
    fn a_run_beside_the_index_is_reached_through_its_parent() {
        assert_eq!(
            relative(Path::new("/s/results"), Path::new("/s/store/r/report.html")),
            "../store/r/report.html"
        );
    }
}
