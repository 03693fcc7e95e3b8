//! The nightly workflow users copy (examples/ci/nightly.yml) runs the commands README.md
//! documents, and they run here: its `run:` steps are read from the file, each must appear
//! verbatim in the README, and the campaign step is carried out with this build's `rift` (the
//! workflow's `target/release/rift`), from a directory where `examples/` is the repository's, so
//! that its relative paths mean what they mean in the workflow.

use std::path::Path;
use std::process::Command;

/// The repository's root.
fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The commands of the workflow's `run:` steps, without the `sudo` a GitHub runner needs.
fn workflow_commands() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("examples/ci/nightly.yml")).unwrap();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("run:"))
        .map(|c| c.trim().trim_start_matches("sudo ").to_string())
        .collect()
}

#[test]
fn the_nightly_workflow_runs_the_readme_s_commands_and_its_campaign_meets_its_expectations() {
    let _machine = crate::machine::share();
    let commands = workflow_commands();
    assert_eq!(commands.len(), 3, "setup, build, campaign: {commands:?}");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for c in &commands {
        assert!(
            readme.contains(c.as_str()),
            "README.md does not document `{c}`"
        );
    }
    let campaign = commands
        .iter()
        .find_map(|c| c.strip_prefix("target/release/rift "))
        .expect("a rift command");
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(repo().join("examples"), dir.path().join("examples")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(campaign.split_whitespace())
        .current_dir(dir.path())
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    let junit = std::fs::read_to_string(dir.path().join("results/junit.xml")).unwrap();
    assert!(junit.contains("<testsuite"), "{junit}");
    assert!(dir.path().join("results/store").is_dir());
}
