//! A campaign's results as JUnit XML, one test case per run.

use super::CaseResult;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// The JUnit XML report of a campaign: a suite named after the campaign, a case per run, failed
/// when its verdict differs from the expectation (or the run could not be carried out).
pub fn junit_xml(campaign: &str, results: &[CaseResult]) -> String {
    let mut report = Report::new(format!("rift-campaign-{campaign}"));
    let mut suite = TestSuite::new(campaign.to_string());
    for r in results {
        let status = if r.as_expected() {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let got = match &r.verdict {
                Ok(v) => v.to_string(),
                Err(e) => format!("harness error: {e}"),
            };
            let dir = r
                .dir
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            s.set_message(format!(
                "expected {:?}, got {got}; stored in {dir}",
                r.case.expect
            ));
            s
        };
        let mut case = TestCase::new(r.case.name.clone(), status);
        case.set_classname(format!("{campaign}.{}", r.case.strategy));
        case.set_time(r.duration);
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}
