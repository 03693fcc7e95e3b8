//! `rift campaign`: a wrong expectation exits 1 and its JUnit XML names the failing case; every
//! case carries its verdict, anomalies and run; index.html beside the JUnit links each run's
//! report.
//!
//! booking-node must be built (`cargo build -p booking`; `cargo test --workspace` builds it).

use std::process::Command;

#[test]
fn a_campaign_with_a_wrong_expectation_exits_1_and_its_junit_names_the_failing_case() {
    let _machine = crate::machine::share();
    let dir = std::env::temp_dir().join(format!("rift-test-campaign-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("c.toml");
    std::fs::write(
        &file,
        r#"
name = "wrong"
seeds = [4]
[base]
time_limit_s = 2.0
quiet_s = 0.5
rate = 200.0
[[strategies]]
name = "raft-right"
system = { name = "booking", replication = "raft", read = "majority" }
expect = "valid"
[[strategies]]
name = "raft-wrong"
system = { name = "booking", replication = "raft", read = "majority" }
expect = "invalid"
[[nemeses]]
name = "none"
nemesis = { faults = [] }
"#,
    )
    .unwrap();
    let junit = dir.join("junit.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .arg("campaign")
        .arg(&file)
        .arg("--junit")
        .arg(&junit)
        .arg("--store")
        .arg(dir.join("store"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let failures: Vec<&str> = xml
        .split("<testcase")
        .skip(1)
        .filter(|c| c.contains("<failure"))
        .collect();
    assert_eq!(failures.len(), 1, "{xml}");
    assert!(failures[0].contains("raft-wrong/none/seed=4"), "{xml}");
    assert!(xml.contains("raft-right/none/seed=4"), "{xml}");
    assert!(stdout.contains("1 not as expected"), "{stdout}");
    let store = dir.join("store");
    for case in xml.split("<testcase").skip(1) {
        assert!(
            case.contains(r#"<property name="verdict" value="valid"/>"#)
                && case.contains(r#"<property name="anomalies" value="none"/>"#),
            "{case}"
        );
        let run = case
            .split(r#"<property name="run" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("a run property: {case}"));
        assert!(
            std::path::Path::new(run).starts_with(&store) && case.contains(&format!("run: {run}")),
            "{case}"
        );
        assert!(
            std::path::Path::new(run).join("report.html").is_file(),
            "{run}"
        );
    }
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let links: Vec<&str> = index
        .split("href=\"")
        .skip(1)
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(links.len(), 2, "{index}");
    for link in links {
        assert!(
            link.starts_with("store/") && dir.join(link).is_file(),
            "{link}"
        );
    }
    assert!(stdout.contains(&format!(
        "campaign page: {}",
        dir.join("index.html").display()
    )));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_example_configs_and_campaign_load_and_validate() {
    let _machine = crate::machine::share();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let registry = rift::builtin();
    let mut config =
        runner::run::RunConfig::load(&examples.join("booking-async-one.toml")).unwrap();
    config.resolve(&registry).unwrap();
    // The example is the default config written out (its mix is the default mix, spelled out).
    config.workload.mix.clear();
    let mut default = runner::run::RunConfig {
        test: "booking-async-one".into(),
        ..Default::default()
    };
    default.resolve(&registry).unwrap();
    assert_eq!(config, default);
    runner::run::RunConfig::load(&examples.join("booking-raft-register.toml"))
        .unwrap()
        .resolve(&rift::builtin())
        .unwrap();
    let c =
        runner::campaign::Campaign::load(&examples.join("booking-campaign.toml"), &rift::builtin())
            .unwrap();
    assert_eq!(c.cases().len(), 2 * 2 * 2);
}
