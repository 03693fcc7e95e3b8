//! A campaign's results as JUnit XML, one test case per run. Every case, passing or not, carries
//! its verdict, its anomalies and its run's directory as properties and in its system-out, so a CI
//! page shows where to look without opening the store.

use super::CaseResult;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

/// The JUnit XML report of a campaign: a suite named after the campaign, a case per run, failed
/// when its verdict differs from the expectation (or the run could not be carried out).
pub fn junit_xml(campaign: &str, results: &[CaseResult]) -> String {
    let mut report = Report::new(format!("rift-campaign-{campaign}"));
    let mut suite = TestSuite::new(campaign.to_string());
    for r in results {
        let got = match &r.verdict {
            Ok(v) => v.to_string(),
            Err(e) => format!("harness error: {e}"),
        };
        let dir = r
            .dir
            .as_ref()
            .map_or_else(|| "not stored".to_string(), |d| d.display().to_string());
        let expect = format!("{:?}", r.case.expect).to_lowercase();
        let status = if r.as_expected() {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!("expected {expect}, got {got}; stored in {dir}"));
            s
        };
        let mut case = TestCase::new(r.case.name.clone(), status);
        case.set_classname(format!("{campaign}.{}", r.case.strategy));
        case.set_time(r.duration);
        case.properties.extend([
            Property::new("expected", expect.as_str()),
            Property::new("verdict", got.as_str()),
            Property::new("anomalies", r.anomalies.as_str()),
            Property::new("run", dir.as_str()),
        ]);
        case.set_system_out(format!(
            "expected {expect}, got {got}\nanomalies: {}\nrun: {dir}\n",
            r.anomalies
        ));
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}
