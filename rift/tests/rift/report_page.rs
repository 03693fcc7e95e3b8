//! report.html in a real browser (headless Chromium, see `browser`): a real run's report, an
//! invalid register history with its Porcupine-style view and shrunk witness, a transactional
//! cycle, a 1,000,000-op history, and a campaign's index.html. Each asserts what a person sees:
//! the verdict, one lane per process, the fault bands where faults.jsonl puts them, the witness
//! highlighted and reached by its link, no console message; and keeps a screenshot of each page
//! under target/tmp/report-screenshots/.

use crate::browser::{file_url, load, shots, Page};
use histories::formats::{read_path, Format};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn rift(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(args)
        .output()
        .expect("rift runs");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn scratch(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("rift-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

/// The client processes of a history file: one lane each.
fn processes(history: &Path) -> usize {
    let h = read_path(history, Some(Format::Jsonl)).unwrap();
    h.client_ops()
        .map(|o| o.process)
        .collect::<BTreeSet<_>>()
        .len()
}

fn assert_quiet(page: &Page) {
    assert!(
        page.console.is_empty(),
        "the page wrote to the console: {:?}",
        page.console
    );
}

#[test]
fn a_real_runs_report_shows_its_verdicts_one_lane_per_process_and_its_faults_where_faults_jsonl_puts_them(
) {
    let _machine = crate::machine::share();
    let root = scratch("run");
    let store = root.join("store");
    let (code, out) = rift(&[
        "run",
        "--time-limit",
        "4",
        "--nemesis",
        "pause",
        "--nemesis-interval",
        "1",
        "--seed",
        "11",
        "--test",
        "page",
        "--store",
        store.to_str().unwrap(),
    ]);
    assert!((0..=2).contains(&code), "{out}");
    let dir = std::fs::canonicalize(store.join("page/latest")).unwrap();
    let (code, out) = rift(&["report", dir.to_str().unwrap()]);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let verdict = results["verdict"]["verdict"].as_str().unwrap().to_string();
    let expected_code = match verdict.as_str() {
        "valid" => 0,
        "invalid" => 1,
        _ => 2,
    };
    assert_eq!(code, expected_code, "{out}");

    let page = load(
        &file_url(&dir.join("report.html")),
        1400,
        2400,
        Some(&shots().join("run.png")),
    );
    assert_quiet(&page);
    assert_eq!(page.attr("<body", "data-ready").as_deref(), Some("1"));
    assert_eq!(page.text_of("overall").as_deref(), Some(verdict.as_str()));
    for check in results["checks"].as_array().unwrap() {
        let name = check["checker"].as_str().unwrap();
        assert!(page.dom.contains(name), "checker {name} is shown");
    }
    assert_eq!(page.text_of("seed").as_deref(), Some("11"));
    let lanes: usize = page
        .attr("id=\"timeline-summary\"", "data-lanes")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(lanes, processes(&dir.join("history.jsonl")));
    let span: f64 = page
        .attr("id=\"timeline-summary\"", "data-span-ns")
        .unwrap()
        .parse()
        .unwrap();
    let mut pauses = 0;
    for line in std::fs::read_to_string(dir.join("faults.jsonl"))
        .unwrap()
        .lines()
    {
        let f: serde_json::Value = serde_json::from_str(line).unwrap();
        if f["fault"]["fault"] != "pause" || f["outcome"] != "installed" {
            continue;
        }
        pauses += 1;
        let start = f["start"].as_u64().unwrap();
        let marker = format!("data-start-ns=\"{start}\"");
        assert_eq!(
            page.attr(&marker, "data-fault").as_deref(),
            Some("pause"),
            "a band for the pause at {start} ns"
        );
        let style = page.attr(&marker, "style").unwrap();
        let left: f64 = style
            .split("left: ")
            .nth(1)
            .and_then(|s| s.split('%').next())
            .unwrap()
            .parse()
            .unwrap();
        let want = start as f64 / span * 100.0;
        assert!(
            (left - want).abs() < 0.01,
            "the band of the pause at {start} ns is drawn at {left}%, not {want}%"
        );
    }
    assert!(
        pauses > 0,
        "a 4 s run with a pause every second paused a node"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

/// A generated register history whose explanation is a call that could not be placed (the
/// Porcupine-style view draws those), with its path.
fn unplaceable(root: &Path) -> PathBuf {
    for seed in 1..30 {
        let (_, history) = rift(&[
            "gen",
            "--calls",
            "300",
            "--keys",
            "1",
            "--processes",
            "5",
            "--anomaly-rate",
            "0.02",
            "--colliding",
            "--seed",
            &seed.to_string(),
        ]);
        let file = root.join(format!("seed{seed}.jsonl"));
        std::fs::write(&file, history).unwrap();
        let (code, out) = rift(&["check", file.to_str().unwrap()]);
        if code == 1 && out.contains("could not be placed") {
            return file;
        }
    }
    panic!("no seed in 1..30 gave a call that could not be placed");
}

#[test]
fn an_invalid_register_history_draws_its_partial_linearisation_and_its_witness_link_selects_the_witness(
) {
    let root = scratch("invalid");
    let history = unplaceable(&root);
    let html = root.join("invalid.html");
    let (code, out) = rift(&[
        "check",
        history.to_str().unwrap(),
        "--shrink",
        "--report",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    let page = load(
        &file_url(&html),
        1400,
        2000,
        Some(&shots().join("invalid-linearizability.png")),
    );
    assert_quiet(&page);
    assert_eq!(page.text_of("overall").as_deref(), Some("invalid"));
    assert!(page.dom.contains("could not be placed"));
    assert!(page.dom.contains("<canvas class=\"lin\" data-view=\"0\""));
    let witness = page
        .attr("class=\"op witness-op\"", "href")
        .expect("a link to the witness");
    let call = witness.trim_start_matches("#call=").to_string();
    let clicked = load(
        &format!("{}{witness}", file_url(&html)),
        1400,
        1400,
        Some(&shots().join("invalid-witness-selected.png")),
    );
    assert_quiet(&clicked);
    assert_eq!(
        clicked.attr("id=\"selected\"", "data-call").as_deref(),
        Some(call.as_str())
    );
    let selected = clicked.text_of("selected").unwrap();
    assert!(selected.contains("in the shrunk witness"), "{selected}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_transactional_anomaly_is_drawn_as_its_cycle_with_each_edge_labelled() {
    let root = scratch("txn");
    // T0 appends 1 to x and y; T1 then reads x = [1] but y = []: read skew (G-single).
    let history = checker::txn::notation::parse("ax1 ay1; rx1 ry").unwrap();
    let file = root.join("skew.jsonl");
    let mut bytes = Vec::new();
    histories::formats::write_jsonl(&mut bytes, &history).unwrap();
    std::fs::write(&file, bytes).unwrap();
    let html = root.join("txn.html");
    let (code, out) = rift(&[
        "check",
        file.to_str().unwrap(),
        "--report",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    let page = load(
        &file_url(&html),
        1400,
        1500,
        Some(&shots().join("transactional-anomaly.png")),
    );
    assert_quiet(&page);
    assert_eq!(page.text_of("overall").as_deref(), Some("invalid"));
    assert!(page.dom.contains("<svg class=\"cycle\""), "a cycle graph");
    assert!(page.dom.contains("class=\"edge e-wr\""), "the wr edge");
    assert!(page.dom.contains("class=\"edge e-rw\""), "the rw edge");
    assert!(page.dom.contains(">wr x=[1]</text>"), "the wr edge's label");
    assert!(
        page.dom.contains(">rw y=[] missed 1</text>"),
        "the rw edge's label"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_million_op_history_loads_in_under_3_s_with_one_lane_per_process() {
    let root = scratch("million");
    let file = root.join("million.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args([
            "gen",
            "--calls",
            "500000",
            "--processes",
            "20",
            "--keys",
            "1000",
            "--info-rate",
            "0.05",
            "--seed",
            "1",
        ])
        .stdout(std::fs::File::create(&file).unwrap())
        .status()
        .unwrap();
    assert!(out.success());
    let html = root.join("million.html");
    let (code, out) = rift(&[
        "check",
        file.to_str().unwrap(),
        "--report",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    let page = load(
        &file_url(&html),
        1400,
        1800,
        Some(&shots().join("million-ops.png")),
    );
    assert_quiet(&page);
    assert_eq!(page.attr("<body", "data-ready").as_deref(), Some("1"));
    let ms: u64 = page
        .attr("<body", "data-render-ms")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        ms < 3000,
        "the 1,000,000-op report took {ms} ms to load and draw"
    );
    let calls = page.attr("id=\"timeline-summary\"", "data-calls");
    assert_eq!(calls.as_deref(), Some("500000"));
    let lanes: usize = page
        .attr("id=\"timeline-summary\"", "data-lanes")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(lanes, processes(&file));
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_campaign_page_shows_the_matrix_and_links_each_cell_to_its_runs_report() {
    use checker::Verdict;
    use report::{render_campaign, CampaignCell, CampaignPage, Expected};
    let root = scratch("campaign");
    let mut cells = Vec::new();
    for (strategy, expect) in [("sync", Expected::Valid), ("async", Expected::Invalid)] {
        for nemesis in ["none", "partition"] {
            for seed in [1, 2] {
                let verdict = if strategy == "async" && nemesis == "partition" {
                    Verdict::Invalid
                } else {
                    Verdict::Valid
                };
                let href = format!("{strategy}-{nemesis}-{seed}/report.html");
                let page = root.join(&href);
                std::fs::create_dir_all(page.parent().unwrap()).unwrap();
                std::fs::write(&page, "<!doctype html><title>run</title>").unwrap();
                cells.push(CampaignCell {
                    strategy: strategy.into(),
                    nemesis: nemesis.into(),
                    seed,
                    expect: Some(expect),
                    verdict: Ok(verdict),
                    anomalies: String::new(),
                    duration_s: 5.0,
                    report: Some(href),
                });
            }
        }
    }
    let index = root.join("index.html");
    std::fs::write(
        &index,
        render_campaign(&CampaignPage {
            name: "booking".into(),
            cells,
        }),
    )
    .unwrap();
    let page = load(
        &file_url(&index),
        1200,
        700,
        Some(&shots().join("campaign.png")),
    );
    assert_quiet(&page);
    assert_eq!(
        page.text_of("overall").as_deref(),
        Some("6 of 8 as expected")
    );
    for strategy in ["sync", "async"] {
        assert!(page.dom.contains(&format!("<tr><th>{strategy}</th>")));
    }
    // async is expected invalid, and is valid without faults: its two seeds there are flagged.
    assert_eq!(page.dom.matches(" unexpected\"").count(), 2);
    for href in ["sync-none-1/report.html", "async-partition-2/report.html"] {
        assert!(page.dom.contains(&format!("href=\"{href}\"")), "{href}");
        assert!(root.join(href).is_file());
    }
    std::fs::remove_dir_all(&root).unwrap();
}
